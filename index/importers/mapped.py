"""Any other product CSV, read through a small JSON mapping of catalog fields to columns.

The mapping (docs/catalog-format.md) names the column for each field it uses; ``id``,
``name`` and ``price`` are required. Rows sharing an id are one product, each row a
variant when a variant field is mapped. A mapping with unknown fields, or naming a
column the CSV lacks, is refused before any row is read.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import CatalogError
from ..text import distinct
from . import fields
from .html_text import plain_text
from .photo_refs import PhotoRefs
from .rows import Row, Skipped
from .table import Numbered, Record, column_name

BUILT_IN = ("shopify", "magento")
FIX = "set csv_mapping to shopify, magento or a JSON mapping file (docs/catalog-format.md)"

TEXT_FIELDS = ("id", "sku", "type", "name", "currency", "description")
PRICE_FIELDS = ("price", "special_price", "msrp")
LIST_FIELDS = ("categories", "images", "related", "upsell", "crosssell")
VARIANT_FIELDS = ("variant_sku", "color", "size")
MAPPING_FIELDS = (
    *TEXT_FIELDS,
    *PRICE_FIELDS,
    *LIST_FIELDS,
    *VARIANT_FIELDS,
    "attributes",
    "separator",
)


def read_mapping(name: str, csv_path: Path, header: set[str]) -> dict[str, Any]:
    """A validated custom mapping with its column names normalised like the header."""
    path = Path(name).expanduser()
    if not path.is_file() and (csv_path.parent / path).is_file():
        path = csv_path.parent / path
    if not path.is_file():
        raise CatalogError(
            f"unknown CSV mapping {name!r}: not one of {', '.join(BUILT_IN)} and no such file",
            fix=FIX,
        )
    try:
        spec = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogError(f"cannot read CSV mapping {path}: {error}", fix=FIX) from None
    if not isinstance(spec, dict):
        raise CatalogError(f"CSV mapping {path} must be a JSON object", fix=FIX)
    unknown = sorted(set(spec) - set(MAPPING_FIELDS))
    missing = [f for f in ("id", "name", "price") if f not in spec]
    attributes = spec.get("attributes", {})
    columns = {k: v for k, v in spec.items() if k not in ("attributes", "separator")}
    if not isinstance(attributes, dict):
        unknown.append("attributes (must be an object)")
    else:
        columns.update({f"attributes.{k}": v for k, v in attributes.items()})
    bad = [k for k, v in columns.items() if not isinstance(v, str) or not v.strip()]
    separator = spec.get("separator", "|")
    if not isinstance(separator, str) or not separator:
        bad.append("separator")
    if unknown or missing or bad:
        detail = "; ".join(
            text
            for text in (
                unknown and f"unknown fields {unknown} (allowed: {', '.join(MAPPING_FIELDS)})",
                missing and f"missing {missing}",
                bad and f"not a column name: {bad}",
            )
            if text
        )
        raise CatalogError(f"CSV mapping {path}: {detail}", fix="see docs/catalog-format.md")
    absent = [v for v in columns.values() if column_name(v) not in header]
    if absent:
        raise CatalogError(f"CSV mapping {path} names columns the CSV lacks: {absent}", fix=FIX)
    return {"columns": {k: column_name(v) for k, v in columns.items()}, "separator": separator}


def convert(records: Numbered, photos: PhotoRefs, mapping: Mapping[str, Any]) -> Iterator[Row]:
    """One row per id (a ``read_mapping`` result), numbered by the id's first line."""
    columns, separator = mapping["columns"], mapping["separator"]
    groups: dict[str, Numbered] = {}
    for line, record in records:
        pid = record.get(columns["id"], "")
        if not pid:
            yield line, Skipped("skipped: no id in this row")
            continue
        groups.setdefault(pid, []).append((line, record))

    def cell(row: Record, name: str) -> str:
        return row.get(columns[name], "") if name in columns else ""

    def first(rows: list[Record], name: str) -> str:
        return next((cell(r, name) for r in rows if cell(r, name)), "")

    def listed(rows: list[Record], name: str) -> list[str]:
        return distinct(p.strip() for r in rows for p in cell(r, name).split(separator))

    for pid, numbered in groups.items():
        rows = [record for _, record in numbered]
        offers = [fields.offer(cell(r, "price"), cell(r, "special_price")) for r in rows]
        has_variants = any(f in columns for f in VARIANT_FIELDS)
        variants = [
            fields.variant(cell(r, "variant_sku"), cell(r, "color"), cell(r, "size"), o)
            for r, o in zip(rows, offers, strict=True)
            if has_variants
        ]
        colors = distinct(v["color"] for v in variants)
        price, special = fields.cheapest(offers)
        refs = [
            (ref.strip(), "", cell(r, "color") or None)
            for r in rows
            for ref in cell(r, "images").split(separator)
        ]
        yield (
            numbered[0][0],
            {
                "id": pid,
                "sku": first(rows, "sku") or pid,
                "type": first(rows, "type") or ("configurable" if len(variants) > 1 else "simple"),
                "name": html.unescape(first(rows, "name")),
                "categories": fields.categories(listed(rows, "categories")),
                "price": price,
                "special_price": special,
                "msrp": fields.offer(first(rows, "msrp"))[0],
                "currency": first(rows, "currency") or None,
                "description": plain_text(first(rows, "description")),
                "attributes": {
                    key.partition(".")[2]: fields.attribute(first(rows, key), separator)
                    for key in columns
                    if key.startswith("attributes.") and first(rows, key)
                },
                "variants": variants,
                "colors": colors,
                "sizes": distinct(v["size"] for v in variants),
                "images": photos.entries(refs, colors),
                "reviews": [],
                "links": {kind: listed(rows, kind) for kind in ("related", "upsell", "crosssell")},
            },
        )
