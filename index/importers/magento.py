"""Magento 2 product exports as catalog rows.

Magento writes one row per product, simple children before or after the configurable,
grouped or bundle parent that lists them; a child a parent lists is folded into it as
a variant, and a child no parent lists loads only if it is visible on its own. Store
view rows (translations) are ignored, and so are special-price dates. Attribute and
variation cells use Magento's ``code=value,...`` notation.
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


def _pairs(text: str) -> dict[str, str]:
    """Magento's ``code=value,...`` cells; a piece without ``=`` continues the previous value.

    ``"color=Blue,features=Pocket|Sleeve, 15 in"``
    ``-> {"color": "Blue", "features": "Pocket|Sleeve, 15 in"}``
    """
    found: dict[str, str] = {}
    last = None
    for piece in text.split(","):
        code, sep, value = piece.partition("=")
        if sep and code.strip():
            last = code.strip().strip('"')
            found[last] = value.strip().strip('"')
        elif last is not None:
            found[last] += "," + piece.rstrip().strip('"')
    return found


def _children(record: Record) -> list[dict[str, str]]:
    """The child entries a configurable, grouped or bundle row lists (each with a ``sku``)."""
    kind = record.get("product_type", "")
    if kind == "configurable":
        entries = [_pairs(p) for p in record.get("configurable_variations", "").split("|")]
    elif kind == "grouped":
        entries = [
            {"sku": p.partition("=")[0].strip()}
            for p in record.get("associated_skus", "").split(",")
        ]
    elif kind == "bundle":
        entries = [_pairs(p) for p in record.get("bundle_values", "").split("|")]
    else:
        return []
    return [e for e in entries if e.get("sku")]


def convert(records: Numbered, photos: PhotoRefs) -> Iterator[Row]:
    """One row per product that stands on its own; listed children become its variants."""
    rows = [(line, r) for line, r in records if not r.get("store_view_code")]  # translations
    by_sku: dict[str, Record] = {}
    parent_of: dict[str, str] = {}
    for _, record in rows:
        by_sku.setdefault(record.get("sku", ""), record)
        for child in _children(record):
            parent_of.setdefault(child["sku"], record.get("sku", ""))
    emitted: list[tuple[int, Record]] = []
    for line, record in rows:
        sku = record.get("sku", "")
        if not sku:
            yield line, Skipped("skipped: row without an sku")
        elif parent_of.get(sku, sku) != sku:
            continue  # folded into its parent as a variant
        elif record.get("visibility", "").casefold() == "not visible individually":
            yield (
                line,
                Skipped(f"skipped: {sku} is not visible individually and no parent lists it"),
            )
        else:
            emitted.append((line, record))
    ids = {record["sku"] for _, record in emitted}
    for line, record in emitted:
        yield line, _product(record, by_sku, parent_of, ids, photos)


def _product(
    record: Record,
    by_sku: dict[str, Record],
    parent_of: dict[str, str],
    ids: set[str],
    photos: PhotoRefs,
) -> dict[str, Any]:
    sku, kind = record["sku"], record.get("product_type") or "simple"
    labels = _pairs(record.get("configurable_variation_labels", ""))
    variants, offers, refs = [], [], []
    main_refs = [(record.get("base_image", ""), record.get("base_image_label", ""), None)]
    extra = record.get("additional_images", "").split(",")
    extra_labels = record.get("additional_image_labels", "").split(",")
    main_refs += [
        (r.strip(), extra_labels[i] if i < len(extra_labels) else "", None)
        for i, r in enumerate(extra)
    ]
    options: dict[str, list[float]] = {}
    entries = _children(record) or [{"sku": sku}]
    for entry in entries:
        child = by_sku.get(entry["sku"], {})
        picked = {
            fields.role(labels.get(k, "")) or fields.role(k): v
            for k, v in entry.items()
            if k != "sku"
        }
        picked.update(
            {
                fields.role(k): v
                for k, v in _pairs(child.get("additional_attributes", "")).items()
                if fields.role(k)
            }
        )
        offer = fields.offer(
            child.get("price", entry.get("price", "")), child.get("special_price", "")
        )
        variant = fields.variant(entry["sku"], picked.get("color"), picked.get("size"), offer)
        if kind in ("grouped", "bundle"):
            variant["name"] = html.unescape(child.get("name", "")) or None
        if kind == "bundle":
            variant["option"] = entry.get("name")
            if isinstance(offer[0], float) and entry.get("required", "1") != "0":
                options.setdefault(entry.get("name", ""), []).append(offer[0])
        offers.append(offer)
        variants.append(variant)
        if child is not record:
            refs.append(
                (child.get("base_image", ""), child.get("base_image_label", ""), variant["color"])
            )
    price, special = fields.offer(record.get("price", ""), record.get("special_price", ""))
    if price is None and kind == "bundle" and options:
        price = sum(min(prices) for prices in options.values())
    elif price is None:
        price, special = fields.cheapest(offers)
    attributes = {
        code: fields.attribute(value)
        for code, value in _pairs(record.get("additional_attributes", "")).items()
        if value and not fields.role(code)
    }
    colors = distinct(v["color"] for v in variants)
    links = {
        kind: [
            target
            for target in distinct(
                parent_of.get(s.strip(), s.strip())
                for s in record.get(f"{kind}_skus", "").split(",")
            )
            if target in ids and target != sku
        ]
        for kind in ("related", "upsell", "crosssell")
    }
    return {
        "id": sku,
        "sku": sku,
        "type": kind,
        "name": html.unescape(record.get("name", "")),
        "categories": fields.categories(
            p.strip().partition("/")[2] for p in record.get("categories", "").split(",")
        ),
        "price": price,
        "special_price": special,
        "msrp": fields.offer(record.get("msrp_price", ""))[0],
        "description": plain_text(record.get("description") or record.get("short_description", "")),
        "attributes": attributes,
        "variants": variants,
        "colors": colors,
        "sizes": distinct(v["size"] for v in variants),
        "images": photos.entries(main_refs + refs, colors),
        "reviews": [],
        "links": links,
    }
