"""Build, reload, stale and mismatched indexes, incremental and interrupted builds.

These use a five-product catalog with real photos, the real e5 text model and the
real visual photo embedder, and a real FAISS index on disk.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import layout
from index.build import build_index
from index.catalog import load_catalog
from index.cli import main
from index.errors import IndexProblem, ShopError
from index.query import Lexicon
from index.search import Searcher
from index.settings import PROJECT_ROOT, Settings
from index.text import Tokenizer
from tests.fakes import HashingTextEmbedder, MeanColourImageEmbedder


def _settings(catalog: Path, tmp_path: Path, **extra: object) -> Settings:
    return Settings(catalog=catalog, index_dir=tmp_path / "idx", allow_downloads=False, **extra)


def _tokenizer() -> Tokenizer:
    return Tokenizer(Lexicon.words(Lexicon.read()))


def test_missing_index_is_built_on_first_use_then_reused(
    small_catalog: Path, tmp_path: Path
) -> None:
    settings = _settings(small_catalog, tmp_path)
    first = Searcher(settings, progress=False)
    assert any("building it now" in n for n in first.notices)
    manifest = layout.current(settings.resolved_index_dir()).manifest  # type: ignore[union-attr]
    assert manifest["embedders"]["text"]["name"] == "e5"
    assert manifest["embedders"]["image"]["name"] == "visual"
    assert "not on this machine" in manifest["image_notice"]
    assert manifest["catalog"]["products"] == 5 and manifest["catalog"]["images"] == 14

    second = Searcher(settings, progress=False)
    assert not any("building" in n for n in second.notices)
    query = "red cotton tee for men"
    assert [h.product.id for h in first.search(query).hits] == [
        h.product.id for h in second.search(query).hits
    ]
    assert second.search(query).hits[0].product.id == "T1"


def test_stale_index_is_refused_with_the_fix_or_updated_incrementally(
    small_catalog: Path, tmp_path: Path
) -> None:
    settings = _settings(small_catalog, tmp_path)
    Searcher(settings, progress=False)
    source = small_catalog / "catalog.jsonl"
    rows = [json.loads(line) for line in source.read_text().splitlines()]
    rows[0]["name"] = "Harbor Organic Cotton Tee"
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")

    with pytest.raises(IndexProblem, match="stale") as caught:
        Searcher(settings, progress=False)
    assert "python -m index build" in str(caught.value)

    report = build_index(
        load_catalog(small_catalog), settings, tokenizer=_tokenizer(), progress=False
    )
    assert report.text_encoded == 1  # only the changed product
    assert report.images_encoded == 0  # no photo changed
    assert Searcher(settings, progress=False).search("organic").hits[0].product.id == "T1"


def test_auto_rebuild_updates_a_stale_index(small_catalog: Path, tmp_path: Path) -> None:
    settings = _settings(small_catalog, tmp_path, auto_rebuild=True)
    Searcher(settings, progress=False)
    (small_catalog / "catalog.jsonl").write_text(
        (small_catalog / "catalog.jsonl")
        .read_text()
        .replace("Canyon Travel Backpack", "Canyon Hiking Backpack")
    )
    searcher = Searcher(settings, progress=False)
    assert any("updating" in n for n in searcher.notices)
    assert searcher.search("hiking backpack").hits[0].product.name == "Canyon Hiking Backpack"


def test_index_built_by_another_text_model_is_refused(small_catalog: Path, tmp_path: Path) -> None:
    settings = _settings(small_catalog, tmp_path)
    build_index(
        load_catalog(small_catalog),
        settings,
        tokenizer=_tokenizer(),
        text_model=HashingTextEmbedder(),
        progress=False,
    )
    with pytest.raises(IndexProblem, match="text embedder hashing") as caught:
        Searcher(settings, progress=False)
    assert "python -m index build" in str(caught.value)


def test_photos_embedded_by_a_model_not_installed_are_refused_clearly(
    small_catalog: Path, tmp_path: Path
) -> None:
    settings = _settings(small_catalog, tmp_path)
    build_index(
        load_catalog(small_catalog),
        settings,
        tokenizer=_tokenizer(),
        image_model=MeanColourImageEmbedder(),
        progress=False,
    )
    searcher = Searcher(settings, progress=False)
    assert searcher.search("backpack").hits[0].product.id == "B1"  # text still serves
    with pytest.raises(ShopError, match="mean-colour"):
        searcher.search(photo=small_catalog / "images" / "b1-black_main.jpg")


def test_corrupt_vector_file_is_a_clear_problem(small_catalog: Path, tmp_path: Path) -> None:
    settings = _settings(small_catalog, tmp_path)
    Searcher(settings, progress=False)
    folder = layout.current(settings.resolved_index_dir()).folder  # type: ignore[union-attr]
    (folder / "text.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexProblem, match="unreadable"):
        Searcher(settings, progress=False)


KILLED_BUILD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from index.build import build_index
from index.catalog import load_catalog
from index.query import Lexicon
from index.settings import Settings
from index.text import Tokenizer
from tests.fakes import HashingTextEmbedder, MeanColourImageEmbedder
settings = Settings(catalog=Path({catalog!r}), index_dir=Path({index!r}), allow_downloads=False)
slow = HashingTextEmbedder(name="e5-slow", delay_s=2.0)
tokenizer = Tokenizer(Lexicon.words(Lexicon.read()))
catalog = load_catalog(settings.catalog)
build_index(catalog, settings, tokenizer=tokenizer, text_model=slow, progress=False)
"""


def test_build_killed_halfway_leaves_the_previous_index_serving(
    small_catalog: Path, tmp_path: Path
) -> None:
    settings = _settings(small_catalog, tmp_path)
    before = Searcher(settings, progress=False)
    live = layout.current(settings.resolved_index_dir())
    assert live is not None
    expected = [h.product.id for h in before.search("blue hoodie").hits]

    source = small_catalog / "catalog.jsonl"
    original = source.read_text()
    source.write_text(original.replace("Ridge", "Mesa"))
    script = KILLED_BUILD.format(
        root=str(PROJECT_ROOT), catalog=str(small_catalog), index=str(settings.resolved_index_dir())
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            generations = list(settings.resolved_index_dir().glob("gen-*"))
            if len(generations) > 1:
                break
            assert process.poll() is None, "the build ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the build never started a new generation")
        time.sleep(0.5)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    still = layout.current(settings.resolved_index_dir())
    assert still is not None and still.folder == live.folder
    assert len(list(settings.resolved_index_dir().glob("gen-*"))) == 2  # the half-built one is left

    source.write_text(original)  # the catalog the live generation was built from
    reopened = Searcher(settings, progress=False)
    assert reopened.notices == []
    assert [h.product.id for h in reopened.search("blue hoodie").hits] == expected

    build_index(load_catalog(small_catalog), settings, tokenizer=_tokenizer(), progress=False)
    assert len(list(settings.resolved_index_dir().glob("gen-*"))) == 1  # swept by the next build


def test_cli_build_and_json_search(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--catalog", str(small_catalog), "--index", str(tmp_path / "cli-idx"), "--offline"]
    assert main(["build", *common]) == 0
    assert "indexed 5 products and 14 photos" in capsys.readouterr().out
    assert main(["search", *common, "--json", "--k", "3", "black backpack under $100"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["carried"] is True and printed["not_carried"] is None
    hits = printed["hits"]
    assert hits[0]["product_id"] == "B1" and hits[0]["match"] == "exact"
    assert {"product_id", "name", "price", "score", "match"} <= set(hits[0])
    assert all(h["price"] <= 100 for h in hits)
    photo = small_catalog / "images" / "b1-black_back.jpg"
    assert main(["search", *common, "--json", "--image", str(photo)]) == 0
    assert json.loads(capsys.readouterr().out)["hits"][0]["product_id"] == "B1"
    assert main(["search", *common, "--json", "a garden hose"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["carried"] is False and printed["not_carried"] == "garden hose"
    assert {h["match"] for h in printed["hits"]} == {"alternative"}
    assert main(["search", *common]) == 2
    assert main(["search", "--catalog", str(tmp_path / "missing"), "x"]) == 2
    assert "catalog not found" in capsys.readouterr().err
