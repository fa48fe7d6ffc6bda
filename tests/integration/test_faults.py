"""Faults in the index on disk: missing, stale, damaged, or built by other models.

Each is met through the ``Searcher`` and through ``python -m index`` (its ``main``):
the Searcher raises one ``IndexProblem`` that names the command fixing it, and the
command exits 2 with that one line on stderr, never a faiss, numpy or json traceback.
``--rebuild`` (``auto_rebuild``) repairs what a build can repair. A real five-product
catalog, the real e5 and visual embedders, and a real FAISS index damaged on disk.

Covered in test_index_lifecycle.py and not repeated here: the Searcher builds a
missing index, refuses a stale one or updates it with ``auto_rebuild``, refuses an
index built by another text model or photo model, refuses a garbage ``text.faiss``,
and a build killed with SIGKILL in the middle of encoding leaves the previous
generation serving (a real subprocess; see ``test_build_killed_halfway…``).
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from index import layout
from index.build import build_index
from index.catalog import load_catalog
from index.cli import main
from index.embedders.base import ImageEmbedder
from index.errors import IndexProblem
from index.keyword import KeywordIndex
from index.query import Lexicon
from index.search import Searcher
from index.settings import Settings
from index.text import Tokenizer
from tests.fakes import MeanColourImageEmbedder


def _settings(catalog: Path, tmp_path: Path) -> Settings:
    return Settings(catalog=catalog, index_dir=tmp_path / "idx", allow_downloads=False)


def _build(settings: Settings, image_model: ImageEmbedder | None = None) -> layout.Generation:
    tokenizer = Tokenizer(Lexicon.words(Lexicon.read()))
    catalog = load_catalog(settings.catalog)
    build_index(catalog, settings, tokenizer=tokenizer, image_model=image_model, progress=False)
    generation = layout.current(settings.resolved_index_dir())
    assert generation is not None
    return generation


def _cli(settings: Settings, *args: str) -> list[str]:
    return [
        *args[:1],
        "--catalog",
        str(settings.catalog),
        "--index",
        str(settings.resolved_index_dir()),
        "--offline",
        *args[1:],
    ]


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], *, alone: bool = True) -> str:
    """Run the command, expect exit 2 and one error line on stderr; that line.

    ``alone=False`` allows other stderr output before it: MiniLM's loader draws a
    "Loading weights" progress bar that the index code does not control.
    """
    capsys.readouterr()
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 if alone else lines, captured.err
    assert lines[-1].startswith("error: ") and "Traceback" not in captured.err
    assert sum(line.startswith("error") for line in lines) == 1
    assert captured.out == ""
    return lines[-1]


def _one_line_with_fix(error: IndexProblem, settings: Settings) -> None:
    assert "\n" not in str(error)
    assert error.fix is not None
    assert error.fix.startswith(
        f"python -m index build --catalog {settings.catalog} "
        f"--index {settings.resolved_index_dir()}"
    )


def test_cli_builds_a_missing_index_and_says_so(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(small_catalog, tmp_path)
    assert main(_cli(settings, "info")) == 1
    assert "no index in" in capsys.readouterr().out
    assert main(_cli(settings, "search", "--json", "black backpack")) == 0
    captured = capsys.readouterr()
    assert f"note: no index in {settings.resolved_index_dir()}; building it now" in captured.err
    assert json.loads(captured.out)["hits"][0]["product_id"] == "B1"
    assert main(_cli(settings, "info")) == 0
    assert json.loads(capsys.readouterr().out)["catalog"]["products"] == 5


def test_cli_refuses_a_stale_index_in_one_line_and_updates_it_with_rebuild(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(small_catalog, tmp_path)
    _build(settings)
    source = small_catalog / "catalog.jsonl"
    source.write_text(source.read_text().replace("Canyon Travel", "Canyon Hiking"))

    line = _refused(capsys, _cli(settings, "search", "hiking backpack"))
    assert "is stale: the catalog changed since it was built" in line
    assert f"python -m index build --catalog {small_catalog}" in line and "--rebuild" in line

    assert main(_cli(settings, "search", "--json", "--rebuild", "hiking backpack")) == 0
    captured = capsys.readouterr()
    assert "updating it" in captured.err
    assert json.loads(captured.out)["hits"][0]["name"] == "Canyon Hiking Backpack"


def test_cli_refuses_an_index_built_by_other_models(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(small_catalog, tmp_path)
    _build(settings, image_model=MeanColourImageEmbedder())  # text: the real e5

    minilm = _cli(settings, "search", "--text-embedder", "minilm", "backpack")
    line = _refused(capsys, minilm, alone=False)
    assert "built with the text embedder e5" in line and "but minilm" in line
    assert "fix: python -m index build" in line

    photo = small_catalog / "images" / "b1-black_main.jpg"
    line = _refused(capsys, _cli(settings, "search", "--image", str(photo)))
    assert "photos were embedded by mean-colour (mean-rgb" in line
    assert "which cannot be loaded here (unknown embedder" in line
    assert "fix: python -m index build" in line


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _manifest(folder: Path) -> Path:
    return folder / layout.MANIFEST


Damage = Callable[[Path, Path], object]  # (live generation folder, index folder)
DAMAGES: dict[str, tuple[Damage, str]] = {
    "text.faiss truncated": (
        lambda gen, idx: _truncate(gen / "text.faiss"),
        "damaged (text vectors unreadable: read error in text.faiss",
    ),
    "image.npy truncated": (
        lambda gen, idx: _truncate(gen / "image.npy"),
        "damaged (photo vectors unreadable: Failed to read all data",
    ),
    "keyword.npz deleted": (
        lambda gen, idx: (gen / "keyword.npz").unlink(),
        "damaged (keyword.npz unreadable: [Errno 2] No such file",
    ),
    "keyword.npz truncated": (
        lambda gen, idx: _truncate(gen / "keyword.npz"),
        "damaged (keyword.npz unreadable: File is not a zip file)",
    ),
    "keyword.npz of another catalog": (
        lambda gen, idx: KeywordIndex.build([["tee"], ["bag"]]).save(gen / "keyword.npz"),
        "damaged (keyword.npz hold 2 entries, expected 5)",
    ),
    "images.json garbled": (
        lambda gen, idx: (gen / "images.json").write_text('[{"product_id": '),
        "damaged (images.json unreadable: Expecting value",
    ),
    "manifest garbled": (
        lambda gen, idx: _manifest(gen).write_text('{"format": 1, "embedders": {"te'),
        "manifest in",  # … is unreadable (Unterminated string …)
    ),
    "manifest without its models": (
        lambda gen, idx: _manifest(gen).write_text('{"format": 1, "catalog": {}}'),
        "has no embedders.text.name",
    ),
    "CURRENT garbage": (
        lambda gen, idx: (idx / layout.POINTER).write_bytes(b"\xff\xfe\x00\x9c"),
        "damaged (CURRENT is unreadable: 'utf-8' codec can't decode",
    ),
    "live generation deleted": (
        lambda gen, idx: shutil.rmtree(gen),
        "damaged (generation 'gen-",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_index_is_one_clear_line_and_rebuilt_with_rebuild(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    settings = _settings(small_catalog, tmp_path)
    live = _build(settings)
    spoil, expected = DAMAGES[damage]
    spoil(live.folder, settings.resolved_index_dir())

    with pytest.raises(IndexProblem, match=r"damaged|unreadable|has no") as caught:
        Searcher(settings, progress=False)
    assert expected in str(caught.value)
    _one_line_with_fix(caught.value, settings)
    assert "--rebuild" in caught.value.fix  # type: ignore[operator]

    line = _refused(capsys, _cli(settings, "search", "backpack"))
    assert line == f"error: {caught.value}"

    assert main(_cli(settings, "search", "--json", "--rebuild", "black backpack")) == 0
    captured = capsys.readouterr()
    assert f"note: {caught.value.message}; rebuilding it" in captured.err
    assert json.loads(captured.out)["hits"][0]["product_id"] == "B1"
    assert [p.name for p in settings.resolved_index_dir().glob("gen-*")] == [
        layout.current(settings.resolved_index_dir()).folder.name  # type: ignore[union-attr]
    ]


def test_the_fix_named_for_a_damaged_index_repairs_it(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(small_catalog, tmp_path)
    live = _build(settings)
    _truncate(live.folder / "text.faiss")
    _manifest(live.folder).write_text("[]")  # and the manifest: JSON, but not an object

    line = _refused(capsys, _cli(settings, "info"))  # reads only the manifest
    assert "is not a JSON object" in line and "fix: python -m index build" in line
    with pytest.raises(IndexProblem) as caught:
        Searcher(settings, progress=False)
    assert caught.value.fix is not None
    command = shlex.split(caught.value.fix.partition(" (or ")[0])
    assert command[:3] == ["python", "-m", "index"]

    assert main([*command[3:], "--offline"]) == 0
    assert "indexed 5 products and 14 photos" in capsys.readouterr().out
    repaired = Searcher(settings, progress=False)
    assert repaired.notices == []
    assert repaired.search("black backpack").hits[0].product.id == "B1"
