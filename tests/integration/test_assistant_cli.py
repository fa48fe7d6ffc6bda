"""``python -m assistant ask|chat`` on the demo catalog, templated answers (``--llm none``)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from assistant.cli import main
from index.search import Searcher
from index.settings import DEMO_CATALOG, Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def common(demo_settings: Settings, demo_searcher: Searcher) -> list[str]:
    """Options for the CLI; ``demo_searcher`` has built the index they point at."""
    return ["--catalog", str(DEMO_CATALOG), "--index", str(demo_settings.index_dir),
            "--offline", "--llm", "none"]  # fmt: skip


def test_ask_json_with_history_across_calls(
    common: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "chat.json"
    assert main(["ask", *common, "--json", "--history", str(history), "show me backpacks"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert {"answer", "intent", "lang", "products", "facts", "grounded"} <= set(first)
    assert {"product_id", "name", "price"} <= set(first["products"][0])
    assert main(["ask", *common, "--json", "--history", str(history), "第二个多少钱"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["lang"] == "zh" and second["intent"] == "ask"
    assert second["products"][0]["product_id"] == first["products"][1]["product_id"]
    assert len(json.loads(history.read_text("utf-8"))["turns"]) == 4


def test_ask_without_a_message_is_a_clear_error(
    common: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", *common]) == 2
    assert "give a message" in capsys.readouterr().err


def test_a_three_turn_terminal_chat(
    common: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    turns = "duffle bags\ncompare the first and the second\nwhat do reviewers say about it?\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(turns))
    assert main(["chat", *common]) == 0
    replies = [line for line in capsys.readouterr().out.splitlines() if "shop> " in line]
    assert len(replies) == 3
    assert "cheaper" in replies[1] and "out of 5" in replies[2]
