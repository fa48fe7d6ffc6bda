"""Turn a shop's product-export CSV into catalog rows (the JSONL shape, docs/catalog-format.md).

Shops rarely have our JSONL; they have a Shopify or Magento 2 export, or a spreadsheet
described by a small JSON mapping. This module only reshapes: each product becomes the
dict one JSONL line would hold, numbered by the CSV line where the product starts, and
``catalog.build_catalog`` validates it exactly as it validates JSONL. A price that is not
a number is therefore left as the raw text, for the loader to reject with that line.

Compromises: the whole file is read into memory, because both exports spread a product
over several rows (Shopify: a row per variant and per photo; Magento: simple children
before or after their configurable parent). Nothing is downloaded: a photo URL (or a
Magento media path) is used when a file of that name sits next to the CSV or in its
``images/`` folder, and otherwise becomes ``images/<name>``, which the loader reports
as missing. Magento special-price dates and Shopify markets are ignored.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from .catalog import Skipped
from .errors import CatalogError

log = logging.getLogger(__name__)

BUILT_IN = ("shopify", "magento")
IMAGE_DIR = "images"
NAME_MAX = 255  # bytes in one path component on common file systems
DELIMITERS = (",", ";", "\t", "|")
FIX = "set csv_mapping to shopify, magento or a JSON mapping file (docs/catalog-format.md)"

Record = dict[str, str]  # normalised column name -> stripped cell
Numbered = list[tuple[int, Record]]
Row = tuple[int, dict[str, Any] | str]
Offer = tuple[Any, Any]  # (regular price, sale price): float, raw text or None


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
    rows = problems + list(convert(records, _Photos(path.resolve().parent)))
    return iter(sorted(rows, key=lambda row: row[0]))


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("CSV is not UTF-8; reading it as Windows-1252")
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into most columns: ``"a;b;c" -> ";"``.

    csv.Sniffer guesses from the whole sample and is fooled by commas in descriptions;
    the header row alone is reliable.
    """
    best, most = ",", 1
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delimiter)
        try:
            header = next((cells for cells in reader if any(c.strip() for c in cells)), [])
        except csv.Error:
            continue
        if len(header) > most:
            best, most = delimiter, len(header)
    return best


def parse_table(text: str) -> tuple[list[str], Numbered, list[Row]]:
    """(normalised header, records numbered by their first physical line, problems)."""
    excel = re.match(r"sep=([,;\t|])\r?\n", text)  # Excel's optional first line
    delimiter = excel.group(1) if excel else sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    records: Numbered = []
    problems: list[Row] = []
    previous = 0
    if excel:
        next(reader)
        previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append((previous + 1, Skipped(f"skipped: unreadable CSV record ({error})")))
            if reader.line_num == previous:
                break
            previous = reader.line_num
            continue
        line, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if not header:
            header = [_column(cell) for cell in cells]
            continue
        record: Record = {}
        for column, cell in zip(header, cells, strict=False):
            if column and cell.strip():
                record.setdefault(column, cell.strip())
        records.append((line, record))
    return header, records, problems


def _column(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def _choose(
    header: list[str], mapping: str | None, path: Path
) -> tuple[str, Callable[[Numbered, _Photos], Iterable[Row]]]:
    names = set(header)
    key = (mapping or "").strip().casefold()
    if not key:
        if "handle" in names and names & {"title", "variant price"}:
            key = "shopify"
        elif "sku" in names and names & {"product_type", "attribute_set_code"}:
            key = "magento"
        else:
            shown = ", ".join(c for c in header[:8] if c)
            raise CatalogError(f"{path.name}: unknown CSV columns ({shown}, ...)", fix=FIX)
    if key in BUILT_IN:
        needed = "handle" if key == "shopify" else "sku"
        if needed not in names:
            raise CatalogError(f"{path.name} has no {needed!r} column: not a {key} export", fix=FIX)
        return key, _shopify if key == "shopify" else _magento
    columns = _read_mapping(mapping or "", path, names)
    return "custom", lambda records, photos: _custom(records, photos, columns)


# ---- shared pieces ---------------------------------------------------------------------


def number(text: str) -> float | None:
    """A price cell as a number, or None: ``"$1,299.00" -> 1299.0``, ``"19,99" -> 19.99``."""
    value = text.strip().strip("$€£¥ \u00a0").replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[0-9]+,[0-9]{1,2}", value):
        value = value.replace(",", ".")
    elif re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", value):
        value = value.replace(",", "")
    if not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", value):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _offer(price: str, special: str = "") -> Offer:
    """(regular, sale) of one variant; unreadable prices stay raw for the loader to report."""
    regular, sale = number(price), number(special)
    if regular is None:
        return price or None, None
    if sale is None:
        return regular, special or None
    return regular, sale if sale < regular else None


def _cheapest(offers: list[Offer]) -> Offer:
    """The product's (price, special) are its cheapest variant's.

    ``[(40.0, 30.0), (35.0, None)] -> (40.0, 30.0)``
    """
    numeric = [(r, s) for r, s in offers if isinstance(r, float)]
    if not numeric:
        return next((r for r, _ in offers if r is not None), None), None
    return min(numeric, key=lambda o: o[1] if isinstance(o[1], float) else o[0])


class _TextOf(HTMLParser):
    BLOCKS = frozenset(("p", "div", "br", "ul", "ol", "table", "tr", "section", "article"))
    BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def plain_text(markup: str) -> str:
    """Readable text of HTML, list items as ``- `` lines.

    ``"<p>Soft &amp; warm</p><ul><li>Wool</li></ul>" -> "Soft & warm\\n- Wool"``
    """
    if re.search(r"</?[A-Za-z!]", markup):
        parser = _TextOf()
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    else:  # plain text already: keep its line breaks
        text = html.unescape(markup)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line and line != "-")


def _role(name: str) -> str | None:
    """Whether an option/attribute is the variant colour or size: ``"Shoe Size" -> "size"``."""
    words = set(re.split(r"[\s_\-]+", name.casefold()))
    if words & {"color", "colour"}:
        return "color"
    return "size" if "size" in words else None


def _attribute(value: str, separator: str = "|") -> str | bool | list[str]:
    """``"Yes" -> True``, ``"Nylon|Mesh" -> ["Nylon", "Mesh"]``, else the text."""
    if value.casefold() in ("yes", "true"):
        return True
    if value.casefold() in ("no", "false"):
        return False
    if separator in value:
        return [part.strip() for part in value.split(separator) if part.strip()]
    return value


def _categories(paths: Iterable[str]) -> list[str]:
    """``["Men > Tops", "Men/Tops", "Men"] -> ["Men/Tops"]``: ancestors of a listed path drop."""
    clean = [re.sub(r"\s*[>/]\s*", "/", p).strip("/ ") for p in paths]
    clean = list(dict.fromkeys(p for p in clean if p))
    return [p for p in clean if not any(q.startswith(p + "/") for q in clean)]


def _distinct(values: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))


class _Photos:
    """Maps an image reference from the CSV to a file name relative to the catalog folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def file(self, ref: str) -> str:
        """``https://cdn/x/tee.jpg?v=2 -> images/tee.jpg`` (or ``tee.jpg`` where that exists).

        A relative path is returned as given.
        """
        if not ref.casefold().startswith(("http://", "https://", "//", "/", "\\")):
            return ref  # the loader resolves it and refuses paths that leave the folder
        name = PurePosixPath(unquote(urlsplit(ref).path).replace("\\", "/")).name
        if name in ("", ".", ".."):
            return ref
        for candidate in (name, f"{IMAGE_DIR}/{name}"):
            try:
                if (self.folder / candidate).is_file():
                    return candidate
            except OSError:  # a name the file system cannot hold
                break
        return f"{IMAGE_DIR}/{name}"

    def entries(self, refs: Iterable[tuple[str, str, str | None]], colors: list[str]) -> list[dict]:
        """Image dicts from (reference, label, colour); the first, and the first of each
        colour, is the main view; a colour is guessed from the label or file name."""
        merged: dict[str, list[Any]] = {}
        for ref, label, color in refs:
            if not ref or ref.casefold() == "no_selection":
                continue
            file = self.file(ref)
            if any(len(part.encode()) > NAME_MAX for part in PurePosixPath(file).parts):
                # No file system holds such a name, and checking for one raises OSError.
                log.warning("image name longer than %d bytes dropped: %.60s...", NAME_MAX, file)
                continue
            entry = merged.setdefault(file, [label, color])
            entry[1] = entry[1] or color
        images: list[dict] = []
        mains: set[str | None] = set()
        for file, (label, color) in merged.items():
            text = f"{label} {PurePosixPath(file).stem}".casefold()
            words = " " + re.sub(r"[\W_]+", " ", text) + " "  # " mh01 gray main "
            color = color or next((c for c in colors if f" {c.casefold()} " in words), None)
            if " back " in words:
                view = "back"
            elif not images or " main " in words or color not in mains:
                view = "main"
            else:
                view = "alt"
            if view == "main":
                mains.add(color)
            images.append({"file": file, "view": view, "color": color})
        return images


def _variant(sku: str, color: str | None, size: str | None, offer: Offer) -> dict[str, Any]:
    return {"sku": sku or None, "color": color or None, "size": size or None, "price": offer[0]}


# ---- Shopify ---------------------------------------------------------------------------


def _shopify(records: Numbered, photos: _Photos) -> Iterator[Row]:
    groups: dict[str, Numbered] = {}
    for line, record in records:
        if not record.get("handle"):
            yield line, Skipped("skipped: row without a Handle")
            continue
        groups.setdefault(record["handle"], []).append((line, record))
    for handle, rows in groups.items():
        yield rows[0][0], _shopify_product(handle, [record for _, record in rows], photos)


def _shopify_product(handle: str, rows: list[Record], photos: _Photos) -> dict[str, Any] | str:
    first = rows[0]
    status = first.get("status", "").casefold()
    if status not in ("", "active"):
        return Skipped(f"skipped: {handle} has status {status!r}; only active products are loaded")
    options = [first.get(f"option{i} name", "") for i in (1, 2, 3)]
    variants: list[dict[str, Any]] = []
    offers: list[Offer] = []
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
            role = _role(option)
            if role:
                picked[role] = value
            elif option and value and option.casefold() != "title":
                extra.setdefault(option.casefold(), []).append(value)
        price, compare = row.get("variant price", ""), row.get("variant compare at price", "")
        was, now = number(compare), number(price)
        offer = (was, now) if was is not None and now is not None and was > now else _offer(price)
        offers.append(offer)
        variants.append(
            _variant(row.get("variant sku", ""), picked.get("color"), picked.get("size"), offer)
        )
        if row.get("variant image"):
            refs.append((2 * 10**6 + order, row["variant image"], "", picked.get("color")))
    colors = _distinct(v["color"] for v in variants)
    price, special = _cheapest(offers)
    attributes: dict[str, Any] = {k: _distinct(v) for k, v in extra.items()}
    if first.get("vendor"):
        attributes["vendor"] = first["vendor"]
    if first.get("tags"):
        attributes["tags"] = _distinct(t.strip() for t in first["tags"].split(","))
    if first.get("google shopping / gender"):
        attributes["gender"] = [first["google shopping / gender"]]
    has_options = any(o and o.casefold() != "title" for o in options) or len(variants) > 1
    return {
        "id": handle,
        "sku": handle,
        "type": "configurable" if has_options else "simple",
        "name": html.unescape(first.get("title", "")),
        "categories": _categories([first.get("product category", ""), first.get("type", "")]),
        "price": price,
        "special_price": special,
        "description": plain_text(first.get("body (html)", "")),
        "attributes": attributes,
        "variants": variants,
        "colors": colors,
        "sizes": _distinct(v["size"] for v in variants),
        "images": photos.entries([r[1:] for r in sorted(refs, key=lambda r: r[0])], colors),
        "reviews": [],
        "links": {},
    }


# ---- Magento 2 -------------------------------------------------------------------------


def _pairs(text: str) -> dict[str, str]:
    """Magento's ``code=value,...`` cells; a piece without ``=`` continues the previous value.

    ``"color=Blue,features=Pocket|Sleeve, 15 in"``
    ``-> {"color": "Blue", "features": "Pocket|Sleeve, 15 in"}``
    """
    pairs: dict[str, str] = {}
    last = None
    for piece in text.split(","):
        code, sep, value = piece.partition("=")
        if sep and code.strip():
            last = code.strip().strip('"')
            pairs[last] = value.strip().strip('"')
        elif last is not None:
            pairs[last] += "," + piece.rstrip().strip('"')
    return pairs


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


def _magento(records: Numbered, photos: _Photos) -> Iterator[Row]:
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
        yield line, _magento_product(record, by_sku, parent_of, ids, photos)


def _magento_product(
    record: Record,
    by_sku: dict[str, Record],
    parent_of: dict[str, str],
    ids: set[str],
    photos: _Photos,
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
        picked = {_role(labels.get(k, "")) or _role(k): v for k, v in entry.items() if k != "sku"}
        picked.update(
            {
                _role(k): v
                for k, v in _pairs(child.get("additional_attributes", "")).items()
                if _role(k)
            }
        )
        offer = _offer(child.get("price", entry.get("price", "")), child.get("special_price", ""))
        variant = _variant(entry["sku"], picked.get("color"), picked.get("size"), offer)
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
    price, special = _offer(record.get("price", ""), record.get("special_price", ""))
    if price is None and kind == "bundle" and options:
        price = sum(min(prices) for prices in options.values())
    elif price is None:
        price, special = _cheapest(offers)
    attributes = {
        code: _attribute(value)
        for code, value in _pairs(record.get("additional_attributes", "")).items()
        if value and not _role(code)
    }
    colors = _distinct(v["color"] for v in variants)
    links = {
        kind: [
            target
            for target in _distinct(
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
        "categories": _categories(
            p.strip().partition("/")[2] for p in record.get("categories", "").split(",")
        ),
        "price": price,
        "special_price": special,
        "msrp": _offer(record.get("msrp_price", ""))[0],
        "description": plain_text(record.get("description") or record.get("short_description", "")),
        "attributes": attributes,
        "variants": variants,
        "colors": colors,
        "sizes": _distinct(v["size"] for v in variants),
        "images": photos.entries(main_refs + refs, colors),
        "reviews": [],
        "links": links,
    }


# ---- custom JSON mapping ---------------------------------------------------------------

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


def _read_mapping(name: str, csv_path: Path, header: set[str]) -> dict[str, Any]:
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
    absent = [v for v in columns.values() if _column(v) not in header]
    if absent:
        raise CatalogError(f"CSV mapping {path} names columns the CSV lacks: {absent}", fix=FIX)
    return {"columns": {k: _column(v) for k, v in columns.items()}, "separator": separator}


def _custom(records: Numbered, photos: _Photos, mapping: Mapping[str, Any]) -> Iterator[Row]:
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
        return _distinct(p.strip() for r in rows for p in cell(r, name).split(separator))

    for pid, numbered in groups.items():
        rows = [record for _, record in numbered]
        offers = [_offer(cell(r, "price"), cell(r, "special_price")) for r in rows]
        has_variants = any(f in columns for f in VARIANT_FIELDS)
        variants = [
            _variant(cell(r, "variant_sku"), cell(r, "color"), cell(r, "size"), o)
            for r, o in zip(rows, offers, strict=True)
            if has_variants
        ]
        colors = _distinct(v["color"] for v in variants)
        price, special = _cheapest(offers)
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
                "categories": _categories(listed(rows, "categories")),
                "price": price,
                "special_price": special,
                "msrp": _offer(first(rows, "msrp"))[0],
                "currency": first(rows, "currency") or None,
                "description": plain_text(first(rows, "description")),
                "attributes": {
                    key.partition(".")[2]: _attribute(first(rows, key), separator)
                    for key in columns
                    if key.startswith("attributes.") and first(rows, key)
                },
                "variants": variants,
                "colors": colors,
                "sizes": _distinct(v["size"] for v in variants),
                "images": photos.entries(refs, colors),
                "reviews": [],
                "links": {kind: listed(rows, kind) for kind in ("related", "upsell", "crosssell")},
            },
        )
