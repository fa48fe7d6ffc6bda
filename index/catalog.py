"""Load and validate a shop's catalog (the project's JSONL format, see docs/catalog-format.md).

A catalog is a folder holding ``catalog.jsonl`` with photos relative to it, or the
path of a ``.jsonl`` file (photos relative to its folder). A bad row is reported with
its line number and reason and skipped; the rest loads. An image path that resolves
outside the catalog folder is refused and never opened; a missing photo is reported
and dropped. Only a catalog that cannot be read at all raises ``CatalogError``.

The file is untrusted input: no line, however long, deep or odd, may end the load.
An overlong line is skipped without being held in memory, a leading byte-order mark
is allowed, and a price must lie between 0 and ``MAX_PRICE``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .errors import CatalogError
from .hashing import file_sha256
from .importers import Skipped, read_csv_rows
from .money import MAX_PRICE
from .records import AttributeValue, Image, Links, Product, Review, Variant
from .text import distinct

log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.jsonl"
MAX_LINE_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the catalog; the row is skipped or the field dropped."""

    line: int | None
    message: str
    product_id: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "catalog"
        who = f" ({self.product_id})" if self.product_id else ""
        return f"{where}{who}: {self.message}"


@dataclass
class Catalog:
    """The products of one shop, in file order, with what was wrong on the way in."""

    root: Path
    source: Path
    products: list[Product]
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id: dict[str, Product] = {p.id: p for p in self.products}

    def __len__(self) -> int:
        return len(self.products)

    def get(self, product_id: str) -> Product | None:
        return self.by_id.get(product_id)

    def fingerprint(self) -> str:
        """Changes whenever the catalog file or any photo it uses changes.

        Photos count by size and modification time, so that checking is cheap enough
        to do before every search session; the build hashes their bytes.
        """
        digest = hashlib.sha256(file_sha256(self.source).encode())
        for product in self.products:
            for image in product.images:
                stat = image.path.stat() if image.path.exists() else None
                digest.update(
                    f"{image.file}:{stat and stat.st_size}:{stat and stat.st_mtime_ns}".encode()
                )
        return digest.hexdigest()


class RowError(ValueError):
    """A row that cannot become a product; the message says why."""


def resolve_source(path: Path) -> tuple[Path, Path]:
    """(root folder, catalog file) for a folder or a file argument."""
    path = path.expanduser()
    if path.is_dir():
        source = path / CATALOG_FILE
        if not source.exists():
            raise CatalogError(f"no {CATALOG_FILE} in {path}", fix="pass --catalog FOLDER_OR_FILE")
        return path.resolve(), source.resolve()
    if path.is_file():
        return path.resolve().parent, path.resolve()
    raise CatalogError(f"catalog not found: {path}", fix="pass --catalog FOLDER_OR_FILE")


def load_catalog(path: Path, *, csv_mapping: str | None = None) -> Catalog:
    """Load a catalog from a folder, a ``.jsonl`` file or a ``.csv`` export.

    ``csv_mapping`` (``shopify``, ``magento`` or a JSON mapping file) applies to CSV only;
    without it the two exports are recognised by their header.
    """
    root, source = resolve_source(path)
    if source.suffix.lower() == ".csv":
        rows: Iterable[tuple[int, Any]] = read_csv_rows(source, csv_mapping)
    else:
        rows = _read_jsonl(source)
    return build_catalog(root, source, rows)


def build_catalog(root: Path, source: Path, rows: Iterable[tuple[int, Any]]) -> Catalog:
    """Validate numbered rows (dicts, or a reader's ``Skipped`` note) into a catalog."""
    products: list[Product] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for line, row in rows:
        if isinstance(row, Skipped):
            problems.append(Problem(line, row))
            continue
        pid = row.get("id") if isinstance(row, dict) else None
        try:
            product = product_from_row(row, root, problems, line)
        except RowError as error:
            problems.append(
                Problem(line, f"skipped: {error}", pid if isinstance(pid, str) else None)
            )
            continue
        if product.id in seen:
            problems.append(Problem(line, "skipped: duplicate id", product.id))
            continue
        seen.add(product.id)
        products.append(product)
    if not products:
        detail = f"; first problem: {problems[0]}" if problems else ""
        raise CatalogError(f"no usable products in {source}{detail}")
    for problem in problems:
        log.warning("catalog %s: %s", source.name, problem)
    return Catalog(root=root, source=source, products=products, problems=problems)


def _read_jsonl(source: Path) -> Iterable[tuple[int, Any]]:
    with source.open("rb") as handle:
        for number, raw in enumerate(_lines(handle), start=1):
            if raw is None:
                yield number, Skipped(f"skipped: line longer than {MAX_LINE_BYTES} bytes")
                continue
            try:
                # utf-8-sig: an editor's byte-order mark must not cost the first product.
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                yield number, Skipped(f"skipped: not UTF-8 ({error.reason} at byte {error.start})")
                continue
            if not text.strip():
                continue
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as error:
                yield number, Skipped(f"skipped: invalid JSON ({error.msg})")
            # json raises these, not JSONDecodeError, for "[[[[..." nested past the
            # recursion limit and for an integer of more than 4300 digits.
            except RecursionError:
                yield number, Skipped("skipped: invalid JSON (nested too deeply)")
            except ValueError:
                yield number, Skipped("skipped: invalid JSON (a number too long to read)")


def _lines(handle: BinaryIO) -> Iterator[bytes | None]:
    """Each line's bytes, or None for a line over ``MAX_LINE_BYTES``, which is read
    past in chunks and never held whole (a one-line file of gigabytes stays cheap)."""
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        if len(raw) <= MAX_LINE_BYTES:
            yield raw
            continue
        while not raw.endswith(b"\n") and (raw := handle.readline(MAX_LINE_BYTES)):
            pass
        yield None


def product_from_row(row: Any, root: Path, problems: list[Problem], line: int) -> Product:
    """One validated product; recoverable field problems are appended to ``problems``."""
    if not isinstance(row, dict):
        raise RowError("row is not a JSON object")
    given = row.get("id")
    # An empty id of any JSON type (null, "", false, [], {}) means "use the sku"; 0 is an id.
    empty = given is None or given is False or given in ("", [], {})
    pid = _text(row.get("sku") if empty else given, "id")
    name = _text(row.get("name"), "name")
    price = _money(row.get("price"), "price")

    def note(message: str) -> None:
        problems.append(Problem(line, message, pid))

    special = _optional_money(row.get("special_price"), "special_price", note)
    msrp = _optional_money(row.get("msrp"), "msrp", note)
    price_range = None
    if isinstance(row.get("price_range"), dict):
        low = _optional_money(row["price_range"].get("min"), "price_range.min", note)
        high = _optional_money(row["price_range"].get("max"), "price_range.max", note)
        if low is not None and high is not None and low <= high:
            price_range = (low, high)
    variants = tuple(_variants(row.get("variants"), pid, price, note))
    images = tuple(_images(row.get("images"), root, note))
    colors = _strings(row.get("colors")) or tuple(distinct(v.color for v in variants))
    sizes = _strings(row.get("sizes")) or tuple(distinct(v.size for v in variants))
    return Product(
        id=pid,
        sku=str(row.get("sku") or pid),
        type=str(row.get("type") or "simple"),
        name=name,
        categories=_strings(row.get("categories")),
        price=price,
        special_price=special,
        price_range=price_range,
        msrp=msrp,
        currency=str(row.get("currency") or "USD"),
        description=row["description"] if isinstance(row.get("description"), str) else "",
        attributes=_attributes(row.get("attributes")),
        variants=variants,
        colors=colors,
        sizes=sizes,
        images=images,
        reviews=tuple(_reviews(row.get("reviews"), note)),
        links=_links(row.get("links")),
    )


def _text(value: Any, field_name: str) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise RowError(f"missing {field_name}")
    return value.strip()


def _money(value: Any, field_name: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip().lstrip("$"))
        except ValueError:
            raise RowError(f"{field_name} is not a number: {value[:40]!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RowError(f"missing or non-numeric {field_name}")
    # A comparison, not math.isfinite: that overflows on a 400-digit integer. NaN fails it.
    if not 0 <= value <= MAX_PRICE:
        raise RowError(f"{field_name} must be from 0 to {MAX_PRICE}, got {str(value)[:24]}")
    return float(value)


def _optional_money(value: Any, field_name: str, note: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return _money(value, field_name)
    except RowError as error:
        note(f"{error}; field ignored")
        return None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(
        str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()
    )


_FLOAT_MAX = sys.float_info.max


def _attributes(value: Any) -> dict[str, AttributeValue]:
    if not isinstance(value, Mapping):
        return {}
    clean: dict[str, AttributeValue] = {}
    for key, item in value.items():
        if isinstance(item, bool | str):
            clean[str(key)] = item
        elif isinstance(item, int | float) and -_FLOAT_MAX <= item <= _FLOAT_MAX:
            clean[str(key)] = float(item)  # NaN, infinities and 400-digit integers fail
        elif isinstance(item, list):
            clean[str(key)] = _strings(item)
    return clean


def _variants(value: Any, pid: str, price: float, note: Any) -> Iterable[Variant]:
    if not isinstance(value, list):
        return
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            note(f"variant {index} is not an object; dropped")
            continue
        vprice = _optional_money(item.get("price"), f"variant {index} price", note)

        def opt(key: str, item: dict[str, Any] = item) -> str | None:
            raw = item.get(key)
            return (
                str(raw).strip()
                if isinstance(raw, str | int | float) and str(raw).strip()
                else None
            )

        yield Variant(
            sku=opt("sku") or f"{pid}-{index}",
            color=opt("color"),
            size=opt("size"),
            price=price if vprice is None else vprice,
            name=opt("name"),
            option=opt("option"),
        )


def _images(value: Any, root: Path, note: Any) -> Iterable[Image]:
    if not isinstance(value, list):
        return
    for item in value:
        if isinstance(item, str):
            item = {"file": item}
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            note("image entry without a file name; dropped")
            continue
        try:
            image = safe_image(root, item["file"])
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before 3.13)
            note(f"image path {item['file'][:200]!r} cannot be resolved; refused")
            continue
        if image is None:
            note(f"image path {item['file'][:200]!r} resolves outside the catalog folder; refused")
            continue
        try:
            found = image.is_file()
        except OSError:  # e.g. a name longer than the file system allows
            found = False
        if not found:
            note(f"image file not found: {item['file'][:200]}; dropped")
            continue
        view, color = item.get("view"), item.get("color")
        yield Image(
            file=item["file"],
            path=image,
            view=view if isinstance(view, str) else "main",
            color=color if isinstance(color, str) else None,
        )


def safe_image(root: Path, relative: str) -> Path | None:
    """The resolved path of a catalog photo, or None where it leaves the catalog folder.

    Symbolic links are resolved first, so a link that points outside is refused too.
    A path that cannot be resolved (a symlink loop) raises ``OSError`` or ``RuntimeError``.
    """
    if "\x00" in relative:
        return None
    candidate = (root / relative).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return candidate


def _reviews(value: Any, note: Any) -> Iterable[Review]:
    if not isinstance(value, list):
        return
    for item in value:
        rating = item.get("rating") if isinstance(item, dict) else None
        if isinstance(rating, str) and rating.strip().isdecimal() and rating.strip().isascii():
            rating = int(rating)
        if isinstance(rating, bool) or not isinstance(rating, int | float) or not 1 <= rating <= 5:
            note("review without a rating from 1 to 5; dropped")
            continue
        assert isinstance(item, dict)
        yield Review(
            rating=round(rating),
            title=str(item.get("title") or ""),
            text=str(item.get("text") or ""),
            author=str(item.get("author") or ""),
        )


def _links(value: Any) -> Links:
    if not isinstance(value, dict):
        return Links()
    return Links(
        related=_strings(value.get("related")),
        upsell=_strings(value.get("upsell")),
        crosssell=_strings(value.get("crosssell")),
    )
