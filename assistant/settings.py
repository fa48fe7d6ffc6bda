"""The assistant's settings: retrieval's, plus the LLM that phrases answers.

The LLM is a choice of the turn engine, not of search, so its settings extend
``index.settings.Settings`` here rather than living in ``index/``. The page adds its
own (``assistant.web.settings``) on top; every entry point still builds exactly one
typed object.
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from index.settings import Settings


class AssistantSettings(Settings):
    """Retrieval settings plus the phrasing LLM (``SHOP_LLM``, ``SHOP_LLM_MODEL``…)."""

    llm: str = Field("llama-cpp", description="answer phrasing: llama-cpp | openai | none")
    llm_model: str = Field(
        "qwen2.5-0.5b",
        description="llama-cpp: qwen2.5-0.5b | smollm2-135m | a .gguf path; openai: model name",
    )
    llm_base_url: str = Field(
        "http://127.0.0.1:8080/v1", description="OpenAI-compatible server (vLLM, llama.cpp, Ollama)"
    )
    llm_api_key: SecretStr = Field(SecretStr(""), description="key for the OpenAI-style server")
    llm_timeout_s: float = Field(8.0, gt=0, description="slower than this → templated answer")
    llm_max_tokens: int = Field(160, ge=16, le=4096)
    llm_temperature: float = Field(0.2, ge=0, le=2)
    llm_threads: int = Field(2, ge=1, le=256, description="CPU threads for llama-cpp")
