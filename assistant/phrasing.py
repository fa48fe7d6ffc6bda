"""Phrasing: an LLM, if one is configured, may reword the templated answer.

Its text reaches the shopper only if it finished before the time limit and passes
every check in ``assistant.grounding`` (in the shopper's language, still stating the
answer's key facts, nothing the facts lack, no echo of its prompt). Otherwise the
templated answer is the answer, and the phrasing says which spoke and why. The prompts
are ``prompts/system.txt`` and ``prompts/phrase.txt``; the shopper's message and the
draft reach the model only quoted, as data.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping

from index.currency import chinese_word
from index.errors import ModelUnavailable
from prompts import read_prompt

from . import grounding
from .intents import Draft
from .llm.base import LLM, LLMError, create_llm
from .settings import AssistantSettings

log = logging.getLogger(__name__)

LANGUAGE = {"en": "English", "zh": "Simplified Chinese"}


class Phraser:
    """Rewords drafts with the configured LLM, keeping a rewording only if it passes."""

    def __init__(
        self,
        settings: AssistantSettings,
        vocabulary: Mapping[str, tuple[str, ...]],
        llm: LLM | None = None,
    ) -> None:
        self.settings = settings
        self.vocabulary = vocabulary
        self.notices: list[str] = []
        self.unavailable = "no LLM configured"  # or why the configured one could not load
        self.llm = llm if llm is not None else self._load_llm()
        self._system = read_prompt("system.txt")
        self._phrase = read_prompt("phrase.txt")
        self._labels = re.findall(r"^([^:<>{}\n]+):", self._phrase, re.M)

    def _load_llm(self) -> LLM | None:
        try:
            return create_llm(self.settings)
        except ModelUnavailable as error:
            notice = f"LLM unavailable, answers are templated: {error}"
            log.warning("%s", notice)
            self.notices.append(notice)
            self.unavailable = f"LLM unavailable: {error}"
            return None

    def phrase(self, message: str, lang: str, draft: Draft) -> tuple[str, str, str]:
        """(answer, source, reason): the LLM's text if it passes every check, else the draft.

        prompts/system.txt names the language and currency last: llama.cpp reuses the
        cached prompt up to the first token that differs from the previous turn's, so
        a shared start survives a switch between English and Chinese shoppers.
        """
        if self.llm is None or not draft.phrase:
            return draft.text, "template", self.unavailable if self.llm is None else "fixed"
        currency = draft.facts.currency
        system = self._system.format(
            language=LANGUAGE[lang],
            currency_word=chinese_word(currency) if lang == "zh" else currency,
            max_sentences=3,
        )
        user = self._phrase.format(
            question=_quoted(message[:500]),
            draft=_quoted(draft.text),
            language=LANGUAGE[lang],
        )
        deadline = time.monotonic() + self.settings.llm_timeout_s
        started = time.monotonic()
        try:
            pieces = list(
                self.llm.stream(
                    [{"role": "system", "content": system}, {"role": "user", "content": user}],
                    max_tokens=self.settings.llm_max_tokens,
                    deadline=deadline,
                )
            )
        except LLMError as error:
            return draft.text, "template", f"LLM failed: {error}"
        text = _unwrap("".join(pieces))
        log.debug("LLM answered in %.2f s: %r", time.monotonic() - started, text)
        try:
            problems = grounding.rewording_problems(
                text,
                draft=draft.text,
                required=draft.required,
                facts=draft.facts,
                message=message,
                lang=lang,
                prompt=system,
                labels=self._labels,
                vocabulary=self.vocabulary,
            )
        # The model's text is arbitrary; a check that cannot read it must not end the
        # turn, and unread text must not reach the shopper.
        except Exception:
            log.exception("the check could not read the LLM's text: %r", text)
            return draft.text, "template", "check failed: unreadable answer"
        if problems:
            return draft.text, "template", "check failed: " + "; ".join(problems)
        return text, "llm", ""


def _quoted(text: str) -> str:
    """Data for the prompt: the delimiters it sits between cannot be closed from inside."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


_PREFIX = re.compile(r"^(?:(?:fixed|reworded|rewritten) answer|answer|回答|答)\s*[:：]\s*", re.I)
_WRAPPERS = ("<<<", ">>>"), ('"', '"'), ("“", "”"), ("【", "】"), ("「", "」")


def _unwrap(text: str) -> str:
    """The model's text without a leading label or the quotes it wrapped around it."""
    text = _PREFIX.sub("", text.strip()).strip()
    for opening, closing in _WRAPPERS:
        if text.startswith(opening) and text.endswith(closing) and len(text) > len(opening) * 2:
            text = text[len(opening) : -len(closing)].strip()
    return text
