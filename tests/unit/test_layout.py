"""Index generations: a new one becomes live atomically; damage is reported, not crashed on."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import layout
from index.errors import IndexProblem


def test_publish_switches_generations_and_sweeps_old_ones(tmp_path: Path) -> None:
    assert layout.current(tmp_path) is None
    first = layout.new_generation(tmp_path)
    (first / "data").write_text("one")
    layout.publish(tmp_path, first, {"n": 1})
    live = layout.current(tmp_path)
    assert live is not None and live.folder == first and live.manifest["n"] == 1

    second = layout.new_generation(tmp_path)
    abandoned = layout.new_generation(tmp_path)  # as a killed build would leave it
    assert layout.current(tmp_path).folder == first  # type: ignore[union-attr]
    layout.publish(tmp_path, second, {"n": 2})
    assert layout.current(tmp_path).manifest["n"] == 2  # type: ignore[union-attr]
    assert not first.exists() and not abandoned.exists()


def test_damaged_index_is_a_clear_problem(tmp_path: Path) -> None:
    (tmp_path / layout.POINTER).write_text("gen-missing\n")
    with pytest.raises(IndexProblem, match="damaged"):
        layout.current(tmp_path)
    folder = layout.new_generation(tmp_path)
    (folder / layout.MANIFEST).write_text("{truncated")
    (tmp_path / layout.POINTER).write_text(folder.name)
    with pytest.raises(IndexProblem, match="unreadable"):
        layout.current(tmp_path)
