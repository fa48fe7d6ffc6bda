"""Export cells as catalog fields: prices, variants, options, attributes, categories.

Every importer reads the same ideas out of differently named columns; these helpers
give each idea one reading. They only reshape: a price that is not a number stays the
raw text, so that ``catalog.build_catalog`` rejects it with the row's line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from ..currency import SIGNS

Offer = tuple[Any, Any]  # (regular price, sale price): float, raw text or None


def number(text: str) -> float | None:
    """A price cell as a number, or None: ``"$1,299.00" -> 1299.0``, ``"19,99" -> 19.99``."""
    value = text.strip().strip(SIGNS + " \u00a0").replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[0-9]+,[0-9]{1,2}", value):
        value = value.replace(",", ".")
    elif re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", value):
        value = value.replace(",", "")
    if not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", value):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def offer(price: str, special: str = "") -> Offer:
    """(regular, sale) of one variant; unreadable prices stay raw for the loader to report."""
    regular, sale = number(price), number(special)
    if regular is None:
        return price or None, None
    if sale is None:
        return regular, special or None
    return regular, sale if sale < regular else None


def cheapest(offers: list[Offer]) -> Offer:
    """The product's (price, special) are its cheapest variant's.

    ``[(40.0, 30.0), (35.0, None)] -> (40.0, 30.0)``
    """
    numeric = [(r, s) for r, s in offers if isinstance(r, float)]
    if not numeric:
        return next((r for r, _ in offers if r is not None), None), None
    return min(numeric, key=lambda o: o[1] if isinstance(o[1], float) else o[0])


def variant(sku: str, color: str | None, size: str | None, price: Offer) -> dict[str, Any]:
    """A variant row at the offer's regular price."""
    return {"sku": sku or None, "color": color or None, "size": size or None, "price": price[0]}


def role(name: str) -> str | None:
    """Whether an option/attribute is the variant colour or size: ``"Shoe Size" -> "size"``."""
    words = set(re.split(r"[\s_\-]+", name.casefold()))
    if words & {"color", "colour"}:
        return "color"
    return "size" if "size" in words else None


def attribute(value: str, separator: str = "|") -> str | bool | list[str]:
    """``"Yes" -> True``, ``"Nylon|Mesh" -> ["Nylon", "Mesh"]``, else the text."""
    if value.casefold() in ("yes", "true"):
        return True
    if value.casefold() in ("no", "false"):
        return False
    if separator in value:
        return [part.strip() for part in value.split(separator) if part.strip()]
    return value


def categories(paths: Iterable[str]) -> list[str]:
    """``["Men > Tops", "Men/Tops", "Men"] -> ["Men/Tops"]``: ancestors of a listed path drop."""
    clean = [re.sub(r"\s*[>/]\s*", "/", p).strip("/ ") for p in paths]
    clean = list(dict.fromkeys(p for p in clean if p))
    return [p for p in clean if not any(q.startswith(p + "/") for q in clean)]
