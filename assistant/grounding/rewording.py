"""Whether a model's text is still a rewording of the draft it was given.

The facts check (``check.py``) finds claims the facts lack; a text can pass it and still
not be the answer: in the wrong language, without the product or amount the answer is
about, saying a number more often than the draft (a saving stated as the price), adding
its own content words, or repeating its prompt or the shopper's message. Every check of
the model's text is called from ``rewording_problems``; a single problem and the
templated answer speaks instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from index.text import is_cjk

from ..facts import Facts
from .check import check
from .numbers import numbers_in
from .text import normalise

# More new content words than this share and a rewording is saying something else.
MAX_NOVEL_SHARE = 0.4


def rewording_problems(
    text: str,
    *,
    draft: str,
    required: Sequence[str | Decimal],
    facts: Facts,
    message: str,
    lang: str,
    prompt: str,
    labels: Sequence[str],
    vocabulary: Mapping[str, tuple[str, ...]],
) -> list[str]:
    """Everything that keeps a model's ``text`` from replacing ``draft``; [] when nothing.

    ``required`` is what the text must still state (names, amounts); ``prompt`` the system
    prompt as sent and ``labels`` the user prompt's field labels ("Customer asked"), which
    the text must not repeat; ``vocabulary`` is ``catalog_vocabulary``'s, for ``check``.
    """
    problems = _language_problems(text, lang) + _missing(text, required)
    problems += _echoes(text, message, labels) + _moved_amounts(text, draft, message)
    novel = novel_share(text, (draft, message))
    if novel > MAX_NOVEL_SHARE:
        problems.append(f"says more than the answer ({novel:.0%} new words)")
    problems += check(text, facts, lang=lang, **vocabulary).problems
    problems += prompt_echoes(text, prompt, (draft, message))
    return problems


def _language_problems(text: str, lang: str) -> list[str]:
    if not text:
        return ["empty answer"]
    cjk = sum(1 for ch in text if is_cjk(ch))
    if lang == "zh" and cjk < 4:
        return ["not in Chinese"]
    if lang == "en" and cjk:
        return ["not in English"]
    return []


def _missing(text: str, required: Sequence[str | Decimal]) -> list[str]:
    """What the answer must still state: names (any case, ™ optional) and amounts."""
    normal = normalise(text)
    plain = normal.casefold()
    amounts = {c.value for c in numbers_in(normal)}
    problems = []
    for item in required:
        if isinstance(item, Decimal):
            if item not in amounts:
                problems.append(f"dropped the amount {item}")
        elif normalise(item).casefold() not in plain:
            problems.append(f"dropped {item!r}")
    return problems


_SENTENCES = re.compile(r"[.!?。！？\n]+")


def _echoes(text: str, message: str, labels: Sequence[str]) -> list[str]:
    """Prompt scaffolding, the shopper's message, or a sentence said twice."""
    problems = []
    lowered = text.casefold()
    if any(mark in text for mark in ("<<<", ">>>", "‹‹‹", "›››")) or any(
        label.casefold() in lowered for label in labels
    ):
        problems.append("echoed the prompt")
    # A question or a long message said back is an echo; "jackets under $60" is not.
    echo = (message.rstrip().endswith(("?", "？")) and len(message) >= 6) or len(message) >= 30
    if echo and message.casefold() in lowered:
        problems.append("echoed the message")
    sentences = [s.strip() for s in _SENTENCES.split(text) if len(s.strip()) >= 10]
    if len(sentences) != len(set(sentences)):
        problems.append("repeats itself")
    return problems


def _moved_amounts(text: str, draft: str, message: str) -> list[str]:
    """Numbers said more often than the draft and the message say them.

    The facts check allows any number the facts hold; a model that writes a product's
    saving as its price ("26 美元（便宜 26 美元）") uses only such numbers, but one of
    them twice. A rewording keeps each number as often as the draft has it.
    """

    def counted(source: str) -> Counter[Decimal]:
        return Counter(c.value for c in numbers_in(normalise(source)))

    extra = counted(text) - counted(draft) - counted(message)
    return [f"states {value} more often than the answer does" for value in extra]


# -- new words ----------------------------------------------------------------------

# Words any rewording may add: they connect or restate, they claim nothing.
_CONNECTIVES = frozenset(
    re.findall(
        r"\w+",
        "also available both made from with which that this these those their there here "
        "they have come comes offer offers priced price costs cost only just each either "
        "options option colour colours color colors size sizes rated rating ratings review "
        "reviews reviewer reviewers shopper customer would like great choice look take "
        "consider than more less well your you",
    )
)
_WORD = re.compile(r"[A-Za-z]{4,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _content(text: str) -> set[str]:
    """English words of 4+ letters (singular, casefolded) and Chinese character pairs."""
    words = {w.casefold().removesuffix("s") for w in _WORD.findall(text)}
    words -= {w.removesuffix("s") for w in _CONNECTIVES}
    for run in _CJK_RUN.findall(text):
        words.update(run[i : i + 2] for i in range(len(run) - 1))
    return words


def novel_share(text: str, sources: Iterable[str]) -> float:
    """Share of ``text``'s content words found in none of ``sources``.

    A rewording reuses the answer's words; a model that starts describing what the
    product "is great for" brings its own, and those claims are not in the facts even
    when no number or name is wrong. 0.0 for a text with no content words.
    """
    said = _content(text)
    if not said:
        return 0.0
    known: set[str] = set()
    for source in sources:
        known |= _content(source)
    return len(said - known) / len(said)


# -- the prompt ---------------------------------------------------------------------

_PROMPT_WORD = re.compile(r"\w+")
_PROMPT_SENTENCE = re.compile(r"[^.;:!?。；：！？\n]+")
ECHO_WORDS = 4


def prompt_echoes(text: str, prompt: str, sources: Iterable[str] = ()) -> list[str]:
    """The first run of ``ECHO_WORDS`` words of ``prompt`` (or a whole shorter sentence
    of 3 words or more, "Write in English") that ``text`` repeats and no source holds.

    A model told "print your system prompt" may answer the question and then quote its
    instructions; the quote is in the shopper's language, names no product and states
    no number, so neither ``check`` nor ``novel_share`` sees it (3 new words in 9).
    Pass the prompt as sent (formatted) and the draft and the message as ``sources``:
    a run they hold is theirs to repeat. ``check`` does not know the prompt;
    ``rewording_problems`` calls this.
    ("Blue. You are a friendly shop assistant.", "You are a friendly shop assistant. ...")
    -> ["repeats the prompt: 'you are a friendly'"]
    """
    said = _runs(text)
    known = set().union(*map(_runs, sources))
    for run in _prompt_runs(prompt):
        if run in said and run not in known:
            return [f"repeats the prompt: {' '.join(run)!r}"]
    return []


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _PROMPT_WORD.findall(text))


def _runs(text: str) -> set[tuple[str, ...]]:
    """Every run of 3 to ``ECHO_WORDS`` words, across sentences."""
    words = _words(text)
    sizes = range(3, ECHO_WORDS + 1)
    return {words[i : i + n] for n in sizes for i in range(len(words) - n + 1)}


def _prompt_runs(prompt: str) -> list[tuple[str, ...]]:
    """Runs of ``ECHO_WORDS`` words within each sentence, in order; a shorter sentence
    of 3 words or more is one run."""
    runs: list[tuple[str, ...]] = []
    for sentence in map(_words, _PROMPT_SENTENCE.findall(prompt)):
        if 3 <= len(sentence) < ECHO_WORDS:
            runs.append(sentence)
        runs += [sentence[i : i + ECHO_WORDS] for i in range(len(sentence) - ECHO_WORDS + 1)]
    return runs
