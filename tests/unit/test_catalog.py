"""Catalog validation: bad rows are reported and skipped, the rest loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.catalog import load_catalog
from index.errors import CatalogError
from index.settings import DEMO_CATALOG

GOOD = {"id": "A1", "name": "Alpha Tee", "price": 20}


def test_demo_catalog_loads_cleanly() -> None:
    catalog = load_catalog(DEMO_CATALOG)
    assert len(catalog) == 181
    assert catalog.problems == []
    bag = catalog.get("24-WB05")
    assert bag is not None and bag.special_price is not None
    assert bag.effective_price == bag.special_price < bag.price


def test_bad_rows_are_reported_with_line_numbers_and_skipped(write_catalog) -> None:  # type: ignore[no-untyped-def]
    root = write_catalog(
        [
            GOOD,
            "{not json",
            {"id": "B1", "name": "No Price"},
            {"id": "B2", "name": "Text Price", "price": "cheap"},
            {"id": "B3", "name": "Negative", "price": -5},
            {"id": "A1", "name": "Duplicate", "price": 9},
            {"name": "No Id", "price": 9},
            ["a", "list"],
            {"id": "C1", "name": "Gamma Tee", "price": "19.5"},
        ]
    )
    catalog = load_catalog(root)
    assert [p.id for p in catalog.products] == ["A1", "C1"]
    assert catalog.get("C1").price == 19.5  # type: ignore[union-attr]
    lines = {p.line: p.message for p in catalog.problems}
    assert set(lines) == {2, 3, 4, 5, 6, 7, 8}
    assert "invalid JSON" in lines[2]
    assert "price" in lines[3] and "price" in lines[4] and "price" in lines[5]
    assert "duplicate" in lines[6]


def test_invalid_utf8_and_overlong_lines_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "enc"
    root.mkdir()
    data = json.dumps(GOOD).encode() + b"\n" + b'{"id": "X", "name": "\xff\xfe", "price": 1}\n'
    data += b'{"id": "L", "name": "' + b"x" * 1_100_000 + b'", "price": 1}\n'
    (root / "catalog.jsonl").write_bytes(data)
    catalog = load_catalog(root)
    assert [p.id for p in catalog.products] == ["A1"]
    assert "UTF-8" in catalog.problems[0].message
    assert "longer" in catalog.problems[1].message


def test_image_paths_outside_the_catalog_are_refused_never_read(
    write_catalog, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not for you")
    row = dict(
        GOOD,
        images=[{"file": "../secret.jpg"}, {"file": str(secret)}, {"file": "images/missing.jpg"}],
    )
    root = write_catalog([row])
    (root / "images").mkdir()
    (root / "images" / "link.jpg").symlink_to(secret)
    row["images"].append({"file": "images/link.jpg"})
    (root / "catalog.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    catalog = load_catalog(root)
    product = catalog.products[0]
    assert product.images == ()
    messages = " | ".join(p.message for p in catalog.problems)
    assert messages.count("outside the catalog folder") == 3
    assert "not found" in messages


def test_catalog_that_cannot_be_used_raises(tmp_path: Path, write_catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "nope")
    with pytest.raises(CatalogError, match="no usable products"):
        load_catalog(write_catalog(["{}", "[]"]))


def test_file_path_and_folder_path_load_the_same(small_catalog: Path) -> None:
    by_folder = load_catalog(small_catalog)
    by_file = load_catalog(small_catalog / "catalog.jsonl")
    assert [p.id for p in by_folder.products] == [p.id for p in by_file.products]
    assert by_folder.fingerprint() == by_file.fingerprint()


def test_fingerprint_changes_with_catalog_and_photos(small_catalog: Path) -> None:
    before = load_catalog(small_catalog).fingerprint()
    photo = next((small_catalog / "images").iterdir())
    photo.write_bytes(photo.read_bytes() + b"\0")
    assert load_catalog(small_catalog).fingerprint() != before


def test_image_for_prefers_the_requested_colour(small_catalog: Path) -> None:
    product = load_catalog(small_catalog).get("T1")
    assert product is not None
    assert product.image_for("blue").color == "Blue"  # type: ignore[union-attr]
    assert product.image_for("blue").view == "main"  # type: ignore[union-attr]
    assert product.image_for("purple").view == "main"  # type: ignore[union-attr]
