"""A refused flag or SHOP_* value is one line on stderr and exit status 2, no traceback."""

from __future__ import annotations

import pytest

import app
from assistant import cli as assistant_cli
from index import cli as index_cli


@pytest.mark.parametrize(
    ("main", "argv", "field"),
    [
        (index_cli.main, ["search", "--k", "0", "bags"], "k"),
        (assistant_cli.main, ["ask", "--batch-size", "0", "bags"], "batch_size"),
        (app.main, ["--port", "70000"], "port"),
    ],
)
def test_a_refused_flag_is_one_clear_line(
    main, argv: list[str], field: str, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: bad setting: {field}:") and "\n" not in err
    assert "Traceback" not in err


def test_a_refused_environment_value_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOP_PORT", "abc")
    assert app.main([]) == 2
    assert "bad setting: port: Input should be a valid integer" in capsys.readouterr().err
