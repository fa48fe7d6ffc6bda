"""LLM backends that phrase the assistant's answers: a local GGUF model or an HTTP server.

Only the protocol, the errors and the factory are public; backends are imported by
name when settings choose them, so ``llama_cpp`` is never imported for ``llm=openai``.
"""

from .base import LLM, REGISTRY, LLMError, LLMInfo, LLMTimeout, create_llm

__all__ = ["LLM", "REGISTRY", "LLMError", "LLMInfo", "LLMTimeout", "create_llm"]
