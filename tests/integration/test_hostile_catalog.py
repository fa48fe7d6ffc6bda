"""A hostile catalog: every bad row is reported with its line, and the index still builds.

``tests/unit/test_catalog.py`` checks the common bad rows at load time. These go
further: one catalog holds every kind of problem at once (the rows that used to end
the load with a traceback included), is built into a real index (e5 text, visual
photos, FAISS) and searched; photo paths that leave the catalog folder are refused
and, by an audit hook on ``open``, shown never to be read, though the file behind
them is a valid photo. Encodings and an overlong line are checked at load time, the
line's memory included.
"""

from __future__ import annotations

import json
import os
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

from index.build import build_index
from index.catalog import MAX_LINE_BYTES, load_catalog
from index.errors import CatalogError
from index.money import MAX_PRICE
from index.query import Lexicon
from index.search import Searcher
from index.settings import Settings
from index.text import Tokenizer

pytestmark = pytest.mark.slow

# Every `open` the process makes while recording; an audit hook cannot be removed, so it
# is added once and records only inside `_opened()`.
_RECORDING: list[list[str]] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and _RECORDING and isinstance(args[0], str | bytes | os.PathLike):
        _RECORDING[-1].append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@contextmanager
def _opened() -> Iterator[list[str]]:
    """The paths opened inside the block, as given to ``open``."""
    paths: list[str] = []
    _RECORDING.append(paths)
    try:
        yield paths
    finally:
        _RECORDING.pop()


def _row(pid: str, name: str, price: object, **extra: object) -> str:
    return json.dumps({"id": pid, "name": name, "price": price, **extra})


@pytest.fixture
def hostile(small_catalog: Path, tmp_path: Path) -> tuple[Path, list[Path]]:
    """small_catalog's five good rows (lines 1-5, behind a byte-order mark), then one
    bad row a line from line 6, then a good row whose photos try to leave the folder.
    Returns the folder and the files outside it that its photo paths point at."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.jpg"
    Image.new("RGB", (64, 64), (200, 30, 40)).save(secret)  # a photo the build could read
    images = small_catalog / "images"
    (images / "escape.jpg").symlink_to(secret)
    (images / "loop.jpg").symlink_to("loop.jpg")
    (small_catalog / "linked").symlink_to(outside, target_is_directory=True)

    good = (small_catalog / "catalog.jsonl").read_bytes()
    bad = [
        _row("T1", "Second Harbor Tee", 9),  # 6: duplicate id
        json.dumps({"name": "No Id Tee", "price": 9}),  # 7
        json.dumps({"id": "N1", "price": 9}),  # 8: no name
        json.dumps({"id": "N2", "name": "No Price Tee"}),  # 9
        _row("N3", "Cheap Tee", "cheap"),  # 10: not a number
        _row("N4", "Negative Tee", -5),  # 11
        '{"id": "N5", "name": "NaN Tee", "price": NaN}',  # 12: json reads NaN
        _row("N6", "Float Overflow Tee", 1e300),  # 13: once loaded, then broke every turn
        _row("N7", "Long Int Tee", 10**400),  # 14: once an OverflowError
        '{"id": "L1", "name": "Café Tee", "price": 20}',  # 15: latin-1, below
        _row("D1", "Endless Tee", 30, description="x" * 5_000_000),  # 16: 5 MB line
        "[" * 100_000,  # 17: once a RecursionError
        '{"id": "N8", "name": "Digits Tee", "price": 1' + "0" * 5000 + "}",  # 18: ValueError
        _row(  # 19: kept, with its one good photo
            "G1",
            "Granite Photo Tee",
            30,
            description="x" * 900_000,  # long, but under the line limit: indexed
            attributes={"weight": 10**400},  # once an OverflowError
            images=[
                "images/t1-red_main.jpg",
                "../../etc/passwd",
                "/etc/passwd",
                str(secret),
                "images/escape.jpg",
                "linked/secret.jpg",
                "images/loop.jpg",
            ],
        ),
    ]
    lines = [line.encode("latin-1" if "Café" in line else "utf-8") for line in bad]
    (small_catalog / "catalog.jsonl").write_bytes(
        b"\xef\xbb\xbf" + good + b"\n".join(lines) + b"\n"
    )
    return small_catalog, [secret, Path("/etc/passwd")]


EXPECTED = {
    6: "duplicate id",
    7: "missing id",
    8: "missing name",
    9: "non-numeric price",
    10: "price is not a number",
    11: f"price must be from 0 to {MAX_PRICE}",
    12: f"price must be from 0 to {MAX_PRICE}",
    13: f"price must be from 0 to {MAX_PRICE}",
    14: f"price must be from 0 to {MAX_PRICE}",
    15: "not UTF-8",
    16: f"longer than {MAX_LINE_BYTES} bytes",
    17: "invalid JSON (nested too deeply)",
    18: "invalid JSON (a number too long to read)",
}


def test_every_problem_is_reported_and_the_build_succeeds_on_the_good_rows(
    hostile: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    root, outside = hostile
    settings = Settings(
        catalog=root,
        index_dir=tmp_path / "idx",
        allow_downloads=False,
        image_embedder="visual",
    )
    with _opened() as opened:
        catalog = load_catalog(root)
        report = build_index(
            catalog, settings, tokenizer=Tokenizer(Lexicon.words(Lexicon.read())), progress=False
        )

    assert [p.id for p in catalog.products] == ["T1", "T2", "H1", "B1", "P1", "G1"]
    assert catalog.get("T1").name == "Harbor Cotton Tee"  # type: ignore[union-attr]  # BOM
    by_line: dict[int | None, list[str]] = {}
    for problem in catalog.problems:
        by_line.setdefault(problem.line, []).append(problem.message)
    assert set(by_line) == {*EXPECTED, 19}
    for line, expected in EXPECTED.items():
        assert len(by_line[line]) == 1 and expected in by_line[line][0], (line, by_line[line])
    photos = by_line[19]
    assert sum("outside the catalog folder; refused" in m for m in photos) == 5, photos
    assert sum("'images/loop.jpg' cannot be resolved; refused" in m for m in photos) == 1

    granite = catalog.get("G1")
    assert granite is not None and [i.file for i in granite.images] == ["images/t1-red_main.jpg"]
    assert "weight" not in granite.attributes
    assert (report.products, report.images) == (6, 15)

    # Refused means never opened: not the file, not through the link, not the folder.
    read = {Path(p).resolve() for p in opened}
    assert not read & {p.resolve() for p in outside}
    assert (root / "images" / "t1-red_main.jpg").resolve() in read  # the hook does see reads

    searcher = Searcher(settings, progress=False)
    assert searcher.notices == []  # the index just built is current, not rebuilt
    assert searcher.search("granite").hits[0].product.id == "G1"


def test_a_file_in_the_wrong_encoding_keeps_its_plain_rows(tmp_path: Path) -> None:
    root = tmp_path / "latin"
    root.mkdir()
    text = (
        '{"id": "A1", "name": "Crème Tee", "price": 20}\n'
        '{"id": "A2", "name": "Plain Tee", "price": 21}\n'
        '{"id": "A3", "name": "Über Tee", "price": 22}\n'
    )
    (root / "catalog.jsonl").write_bytes(text.encode("latin-1"))  # as a Windows export
    catalog = load_catalog(root)
    assert [p.id for p in catalog.products] == ["A2"]
    assert [(p.line, "not UTF-8" in p.message) for p in catalog.problems] == [(1, True), (3, True)]

    (root / "catalog.jsonl").write_bytes(text.encode("utf-16"))  # nothing readable at all
    with pytest.raises(CatalogError, match=r"no usable products.*line 1.*not UTF-8"):
        load_catalog(root)


def test_an_overlong_line_is_skipped_without_holding_it(tmp_path: Path) -> None:
    root = tmp_path / "long"
    root.mkdir()
    huge = 20 * MAX_LINE_BYTES
    with (root / "catalog.jsonl").open("wb") as handle:
        handle.write(_row("A1", "Alpha Tee", 20).encode() + b"\n")
        handle.write(b'{"id": "X", "description": "' + b"x" * huge)  # no newline: the last line
    tracemalloc.start()
    try:
        catalog = load_catalog(root)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.id for p in catalog.products] == ["A1"]
    assert [(p.line, "longer than" in p.message) for p in catalog.problems] == [(2, True)]
    assert peak < 4 * MAX_LINE_BYTES, peak  # the 20 MB line was never read whole
