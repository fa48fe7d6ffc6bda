"""Turn a shop's product-export CSV into catalog rows (the JSONL shape, docs/catalog-format.md).

Shops rarely have our JSONL; they have a Shopify or Magento 2 export, or a spreadsheet
described by a small JSON mapping. This package only reshapes: each product becomes the
dict one JSONL line would hold, numbered by the CSV line where the product starts, and
``catalog.build_catalog`` validates it exactly as it validates JSONL. A price that is not
a number is therefore left as the raw text, for the loader to reject with that line.

``read_csv_rows`` reads the table (table.py), picks the importer (shopify.py,
magento.py, or mapped.py for a JSON mapping) from the setting or the header, and
returns the rows in file order. The whole file is read into memory, because both
exports spread a product over several rows (Shopify: a row per variant and per photo;
Magento: simple children before or after their configurable parent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import CatalogError
from . import magento, mapped, shopify
from .photo_refs import PhotoRefs
from .rows import Row, Skipped
from .table import Numbered, decode, parse_table

__all__ = ["Row", "Skipped", "read_csv_rows"]

log = logging.getLogger(__name__)

Importer = Callable[[Numbered, PhotoRefs], Iterable[Row]]


def read_csv_rows(path: Path, mapping: str | None = None) -> Iterator[Row]:
    """Numbered catalog rows (dicts, or a message for a skipped row) from a product CSV.

    ``mapping`` is ``"shopify"``, ``"magento"``, the path of a JSON mapping file, or None
    to recognise the two exports by their header. Raises ``CatalogError`` when the file
    cannot be read or its columns match no mapping.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CatalogError(f"cannot read {path}: {error.strerror}") from None
    header, records, problems = parse_table(decode(data))
    if not header:
        raise CatalogError(f"{path} is empty", fix="export the products with a header row")
    name, convert = _choose(header, mapping, path)
    log.info("CSV %s read as a %s export", path.name, name)
    rows = problems + list(convert(records, PhotoRefs(path.resolve().parent)))
    return iter(sorted(rows, key=lambda row: row[0]))


def _choose(header: list[str], mapping: str | None, path: Path) -> tuple[str, Importer]:
    names = set(header)
    key = (mapping or "").strip().casefold()
    if not key:
        if "handle" in names and names & {"title", "variant price"}:
            key = "shopify"
        elif "sku" in names and names & {"product_type", "attribute_set_code"}:
            key = "magento"
        else:
            shown = ", ".join(c for c in header[:8] if c)
            raise CatalogError(f"{path.name}: unknown CSV columns ({shown}, ...)", fix=mapped.FIX)
    if key in mapped.BUILT_IN:
        needed = "handle" if key == "shopify" else "sku"
        if needed not in names:
            raise CatalogError(
                f"{path.name} has no {needed!r} column: not a {key} export", fix=mapped.FIX
            )
        return key, shopify.convert if key == "shopify" else magento.convert
    columns = mapped.read_mapping(mapping or "", path, names)
    return "custom", lambda records, photos: mapped.convert(records, photos, columns)
