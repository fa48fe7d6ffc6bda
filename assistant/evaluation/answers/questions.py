"""The question set: seven kinds, English and Chinese, each with its expected answer.

Generated from the raw rows with one seeded RNG per kind, so that changing one
generator leaves the other kinds' questions as they were. Both languages ask about
the same products; only the phrasing differs, two phrasings per kind used in turn.
The phrasings are data, in ``phrases.toml`` beside this module.
"""

from __future__ import annotations

import json
import math
import random
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .shop import Row, Shop, cents, effective_price, mean_rating, spoken

KINDS = (
    "compare_price",
    "price",
    "reviews",
    "availability",
    "not_carried",
    "cheaper_alternative",
    "reference",
)
LANGS = ("en", "zh")
PER_KIND = 12
PHRASES_FILE = Path(__file__).with_name("phrases.toml")
ORDINALS = {1: ("first", "一"), 2: ("second", "二"), 3: ("third", "三")}

Raw = tuple[tuple[str, ...], tuple[str, ...], dict[str, Any]]  # (en turns, zh turns, expect)


@dataclass(frozen=True)
class Question:
    """One conversation to ask: its turns in one language, and what the last answer must say.

    ``number`` is the question's place within its kind, the same in both languages.
    """

    qid: str
    kind: str
    lang: str
    number: int
    turns: tuple[str, ...]
    expect: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """A question file's line; an unknown kind is refused here, not mid-run."""
        if data.get("kind") not in KINDS:
            raise ValueError(f"{data.get('qid', '?')}: unknown kind {data.get('kind')!r}")
        return cls(
            qid=str(data["qid"]),
            kind=data["kind"],
            lang=data.get("lang", "en"),
            number=int(data.get("number", 0)),
            turns=tuple(data["turns"]),
            expect={k: _decimal(k, v) for k, v in (data.get("expect") or {}).items()},
        )


# Amounts are written as strings ("34.00") so that no float rounding creeps in.
AMOUNTS = ("price", "difference", "average", "cheapest")


def _decimal(key: str, value: Any) -> Any:
    return Decimal(str(value)) if key in AMOUNTS and value is not None else value


def read_questions(path: Path) -> list[Question]:
    """A question file: JSON lines as ``python -m assistant eval questions`` writes them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Question.from_dict(json.loads(line)) for line in lines if line.strip()]


def generate(shop: Shop, seed: int, per_kind: int = PER_KIND) -> list[Question]:
    """The question set: ``per_kind`` per kind and language, the same products in both."""
    questions = []
    for kind in KINDS:
        raws = _GENERATORS[kind](shop, random.Random(f"{seed}:{kind}"), per_kind)
        for i, (en, zh, expect) in enumerate(raws):
            for lang, turns in (("en", en), ("zh", zh)):
                questions.append(Question(f"{kind}-{i:02d}-{lang}", kind, lang, i, turns, expect))
    return questions


@cache
def _phrasings() -> dict[str, dict[str, list[str]]]:
    """Kind -> language -> its phrasings, as ``PHRASES_FILE`` lists them."""
    with PHRASES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _phrase(kind: str, i: int, **values: str | int) -> tuple[str, str]:
    """The i-th phrasing in English and Chinese; a ``*_zh`` value replaces its English one."""
    english, chinese = (_phrasings()[kind][lang] for lang in LANGS)
    en = {k: v for k, v in values.items() if not k.endswith("_zh")}
    zh = {k.removesuffix("_zh"): v for k, v in values.items() if k.endswith("_zh")}
    return (
        english[i % len(english)].format(**en),
        chinese[i % len(chinese)].format(**{**en, **zh}),
    )


def _compare(shop: Shop, rng: random.Random, n: int) -> list[Raw]:
    by_category: dict[str, list[str]] = {}
    for pid, row in shop.rows.items():
        by_category.setdefault((row.get("categories") or [""])[0], []).append(pid)
    pairs = [
        (a, b) for ids in by_category.values() for i, a in enumerate(ids) for b in ids[i + 1 :]
    ]
    same = [
        p for p in pairs if effective_price(shop.rows[p[0]]) == effective_price(shop.rows[p[1]])
    ]
    differ = sorted(set(pairs) - set(same))
    n_same = min(n // 6, len(same))
    picked = rng.sample(same, n_same) + rng.sample(differ, min(n - n_same, len(differ)))
    rng.shuffle(picked)
    out: list[Raw] = []
    for i, (a, b) in enumerate(picked):
        a, b = (b, a) if rng.random() < 0.5 else (a, b)
        pa, pb = effective_price(shop.rows[a]), effective_price(shop.rows[b])
        cheaper, dearer = (a, b) if pa < pb else (b, a)
        expect = {
            "ids": [a, b],
            "cheaper": None if pa == pb else cheaper,
            "dearer": dearer,
            "difference": abs(pa - pb),
        }
        en, zh = _phrase("compare_price", i, a=spoken(shop.name(a)), b=spoken(shop.name(b)))
        out.append(((en,), (zh,), expect))
    return out


def _single(
    kind: str, shop: Shop, picks: Sequence[str], make: Callable[[Row], dict[str, Any]]
) -> list[Raw]:
    """One-turn questions about one product each, ``make`` giving the rest of the expectation."""
    out: list[Raw] = []
    for i, pid in enumerate(picks):
        expect = {"id": pid, **make(shop.rows[pid])}
        en, zh = _phrase(kind, i, a=spoken(shop.name(pid)))
        out.append(((en,), (zh,), expect))
    return out


def _price(shop: Shop, rng: random.Random, n: int) -> list[Raw]:
    special = [p for p, r in shop.rows.items() if effective_price(r) < cents(r["price"])]
    regular = [p for p in shop.rows if p not in special]
    picks = special[: n // 3]
    picks += rng.sample(regular, min(n - len(picks), len(regular)))
    return _single("price", shop, picks, lambda r: {"price": effective_price(r)})


def _reviews(shop: Shop, rng: random.Random, n: int) -> list[Raw]:
    unreviewed = [p for p, r in shop.rows.items() if not r.get("reviews")]
    reviewed = [p for p in shop.rows if p not in unreviewed]
    picks = rng.sample(unreviewed, min(n // 4, len(unreviewed)))
    picks += rng.sample(reviewed, min(n - len(picks), len(reviewed)))
    rng.shuffle(picks)
    return _single(
        "reviews",
        shop,
        picks,
        lambda r: {"average": mean_rating(r), "count": len(r.get("reviews") or [])},
    )


def _availability(shop: Shop, rng: random.Random, n: int) -> list[Raw]:
    coloured = [p for p, r in shop.rows.items() if r.get("colors")]
    out: list[Raw] = []
    for i, pid in enumerate(rng.sample(coloured, min(n, len(coloured)))):
        has = list(shop.rows[pid]["colors"])
        # Absent means no colour of the product is even a synonym ("navy" for "blue").
        lacks = [
            c
            for c in shop.colours
            if not {h.casefold() for h in has} & set(shop.concept("color", c))
        ]
        present = i % 2 == 0 or not lacks
        colour = rng.choice(has if present else lacks)
        en, zh = _phrase(
            "availability",
            i,
            a=spoken(shop.name(pid)),
            colour=colour.casefold(),
            colour_zh=shop.zh("color", colour),
        )
        out.append(((en,), (zh,), {"id": pid, "colour": colour, "present": present}))
    return out


def _not_carried(shop: Shop, rng: random.Random, n: int) -> list[Raw]:
    cases = []
    for word in shop.types:
        rows = shop.of_type(word)
        cheapest = min((effective_price(r) for r in rows), default=Decimal(0))
        if cheapest >= 2:
            cases.append((word, cheapest))
    rng.shuffle(cases)
    out: list[Raw] = []
    for i in range(n if cases else 0):
        word, cheapest = cases[i % len(cases)]
        ceiling = rng.randint(1, math.ceil(cheapest) - 1)
        en, zh = _phrase("not_carried", i, type=word, n=ceiling, type_zh=shop.zh("type", word))
        out.append(((en,), (zh,), {"type": word, "ceiling": ceiling, "cheapest": cheapest}))
    return out


def _cheaper(shop: Shop, rng: random.Random, n: int) -> list[Raw]:
    def cheaper(pid: str) -> list[str]:
        row = shop.rows[pid]
        first = (row.get("categories") or [None])[0]
        return [
            p
            for p, r in shop.rows.items()
            if (r.get("categories") or [None])[0] == first
            and effective_price(r) < effective_price(row)
        ]

    floor = [p for p in shop.rows if not cheaper(p)]
    others = [p for p in shop.rows if p not in floor]
    picks = rng.sample(floor, min(n // 6, len(floor)))
    picks += rng.sample(others, min(n - len(picks), len(others)))
    rng.shuffle(picks)
    out: list[Raw] = []
    for i, pid in enumerate(picks):
        ask = _phrase("price", 0, a=spoken(shop.name(pid)))
        follow = _phrase("cheaper", i)
        expect = {"id": pid, "cheaper": cheaper(pid)}
        out.append(((ask[0], follow[0]), (ask[1], follow[1]), expect))
    return out


def _reference(shop: Shop, rng: random.Random, n: int) -> list[Raw]:
    combos = []
    for word in shop.types:
        rows = shop.of_type(word)
        combos += [
            (word, c) for c in shop.colours if sum(c in (r.get("colors") or []) for r in rows) >= 3
        ]
    picks = rng.sample(combos, min(n, len(combos)))
    out: list[Raw] = []
    for i, (word, colour) in enumerate(picks):
        position = (2, 1, 3)[i % 3]
        search = _phrase(
            "search",
            i,
            colour=colour.casefold(),
            type=word,
            colour_zh=shop.zh("color", colour),
            type_zh=shop.zh("type", word),
        )
        en_nth, zh_nth = ORDINALS[position]
        ask = _phrase("ordinal", i, nth=en_nth, nth_zh=zh_nth)
        out.append(((search[0], ask[0]), (search[1], ask[1]), {"position": position}))
    return out


_GENERATORS: dict[str, Callable[[Shop, random.Random, int], list[Raw]]] = {
    "compare_price": _compare,
    "price": _price,
    "reviews": _reviews,
    "availability": _availability,
    "not_carried": _not_carried,
    "cheaper_alternative": _cheaper,
    "reference": _reference,
}
