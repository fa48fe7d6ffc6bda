"""Shopify product exports as catalog rows.

Shopify spreads a product over several rows sharing its ``Handle``: the first holds
the product's fields, each further row adds a variant (up to three options) or only a
photo. Only active products load; a variant's compare-at price above its price makes
the price a sale. Shopify markets are ignored.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from ..text import distinct
from . import fields
from .html_text import plain_text
from .photo_refs import PhotoRefs
from .rows import Row, Skipped
from .table import Numbered, Record


def convert(records: Numbered, photos: PhotoRefs) -> Iterator[Row]:
    """One row per handle, numbered by its first line; a row without a handle is skipped."""
    groups: dict[str, Numbered] = {}
    for line, record in records:
        if not record.get("handle"):
            yield line, Skipped("skipped: row without a Handle")
            continue
        groups.setdefault(record["handle"], []).append((line, record))
    for handle, rows in groups.items():
        yield rows[0][0], _product(handle, [record for _, record in rows], photos)


def _product(handle: str, rows: list[Record], photos: PhotoRefs) -> dict[str, Any] | str:
    first = rows[0]
    status = first.get("status", "").casefold()
    if status not in ("", "active"):
        return Skipped(f"skipped: {handle} has status {status!r}; only active products are loaded")
    options = [first.get(f"option{i} name", "") for i in (1, 2, 3)]
    variants: list[dict[str, Any]] = []
    offers: list[fields.Offer] = []
    extra: dict[str, list[str]] = {}
    refs: list[tuple[int, str, str, str | None]] = []
    for order, row in enumerate(rows):
        values = [row.get(f"option{i} value", "") for i in (1, 2, 3)]
        if row.get("image src"):
            position = row.get("image position", "")
            rank = int(position) if position.isdecimal() else 10**6 + order
            refs.append((rank, row["image src"], row.get("image alt text", ""), None))
        if not (row.get("variant sku") or row.get("variant price") or any(values)):
            continue  # a row that only adds a photo
        picked: dict[str | None, str] = {}
        for option, value in zip(options, values, strict=True):
            role = fields.role(option)
            if role:
                picked[role] = value
            elif option and value and option.casefold() != "title":
                extra.setdefault(option.casefold(), []).append(value)
        price, compare = row.get("variant price", ""), row.get("variant compare at price", "")
        was, now = fields.number(compare), fields.number(price)
        offer = (
            (was, now) if was is not None and now is not None and was > now else fields.offer(price)
        )
        offers.append(offer)
        variants.append(
            fields.variant(
                row.get("variant sku", ""), picked.get("color"), picked.get("size"), offer
            )
        )
        if row.get("variant image"):
            refs.append((2 * 10**6 + order, row["variant image"], "", picked.get("color")))
    colors = distinct(v["color"] for v in variants)
    price, special = fields.cheapest(offers)
    attributes: dict[str, Any] = {k: distinct(v) for k, v in extra.items()}
    if first.get("vendor"):
        attributes["vendor"] = first["vendor"]
    if first.get("tags"):
        attributes["tags"] = distinct(t.strip() for t in first["tags"].split(","))
    if first.get("google shopping / gender"):
        attributes["gender"] = [first["google shopping / gender"]]
    has_options = any(o and o.casefold() != "title" for o in options) or len(variants) > 1
    return {
        "id": handle,
        "sku": handle,
        "type": "configurable" if has_options else "simple",
        "name": html.unescape(first.get("title", "")),
        "categories": fields.categories([first.get("product category", ""), first.get("type", "")]),
        "price": price,
        "special_price": special,
        "description": plain_text(first.get("body (html)", "")),
        "attributes": attributes,
        "variants": variants,
        "colors": colors,
        "sizes": distinct(v["size"] for v in variants),
        "images": photos.entries([r[1:] for r in sorted(refs, key=lambda r: r[0])], colors),
        "reviews": [],
        "links": {},
    }
