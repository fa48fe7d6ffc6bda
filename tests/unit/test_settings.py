"""Settings split by who needs them, one typed object per entry point, one environment."""

from __future__ import annotations

import pytest

from assistant.settings import AssistantSettings
from assistant.web.settings import WebSettings
from index.settings import Settings


def test_each_layer_adds_only_its_own_fields() -> None:
    retrieval, assistant, page = (
        set(k.model_fields) for k in (Settings, AssistantSettings, WebSettings)
    )
    assert retrieval < assistant < page
    assert all(field.startswith("llm") for field in assistant - retrieval)
    assert page - assistant == {"host", "port", "share", "max_upload_mb"}


def test_one_environment_serves_every_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shop sets all its SHOP_* variables once; the index CLI ignores the page's."""
    monkeypatch.setenv("SHOP_K", "7")
    monkeypatch.setenv("SHOP_LLM", "none")
    monkeypatch.setenv("SHOP_PORT", "8123")
    assert Settings().k == 7 and not hasattr(Settings(), "llm")
    assert AssistantSettings().llm == "none" and AssistantSettings().k == 7
    page = WebSettings()
    assert (page.port, page.llm, page.k) == (8123, "none", 7)


def test_a_field_of_another_layer_is_refused_when_passed_directly() -> None:
    with pytest.raises(ValueError, match="llm"):
        Settings(llm="none")  # type: ignore[call-arg]
