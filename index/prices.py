"""Price constraints in a shopper's message, English and Chinese: "under $50", "50元以下".

The idea: a handful of regexes, one per kind of constraint (upper bound, lower bound,
"around", range), each an amount (optional currency, a number, optional currency) with
the comparative words that may stand before or after it. Every match is then checked
in Python against its context, because what makes "32" a price or a size is mostly
what stands around it: a price needs a currency or a comparative word, and is neither
glued to a model number ("ViT-B-32"), nor after a size word ("尺码32以下"), nor before a
unit ("18 inch", "3件", "20%"). Overlapping matches keep the longest ("no more than 50"
beats "more than 50"); the rest are intersected in order, skipping any that would empty
the range, and the span covers the first of them plus those joined to it by "and"/","/"且".

Compromises:
- Text is normalised one character at a time (NFKC only where it yields one character),
  so full-width digits work and spans index the original text unchanged. The full-width
  comma stays as it is: in Chinese it separates clauses, it is not a thousands separator.
- Currencies are recognised but not converted: "50€" and "50元" both mean 50.
- A bare amount with a currency ("$49.99", "两百块") reads as "around" (±20%), and only
  when the message holds no explicit comparative.
- "from", "+", "plus" and "起" count only next to a currency ("from $50", "$50+"), and a
  range with "to"/"-" and no currency needs "between"/"from" or Chinese 到/至: too many
  sizes, ages and years look like "30-32" or "2019-2021" otherwise.
- No English number words ("fifty"); Chinese numerals are read up to 万 (``numerals.py``).
- Currency markers come from ``currency.py``; "pounds" is left out there (a weight).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .currency import alternation, is_word
from .currency import markers as currency_markers
from .money import MAX_ASKED_PRICE
from .numerals import ZH_DIGIT_CHARS, ZH_NUMERAL_CHARS, ZH_UNIT_CHARS, chinese_number

AROUND_BAND = 0.2
_FULLWIDTH_COMMA = "\uff0c"  # a clause separator in Chinese, never a thousands one


@dataclass(frozen=True, slots=True)
class PriceRange:
    """An inclusive price range; ``None`` leaves that side open."""

    low: float | None
    high: float | None
    span: tuple[int, int]  # where the text expressed it; the caller cuts it out
    text: str


# --- building blocks -----------------------------------------------------------------

_NUMBER = rf"""
    (?: (?: [0-9]{{1,3}} (?: ,[0-9]{{3}} )+ | [0-9]+ ) (?: \.[0-9]+ )?  # 50  49.99  1,299
        (?: k(?![a-z]) | [千万] )?                                      # 1.5k  2千  1万
      | [{ZH_DIGIT_CHARS}十] [{ZH_DIGIT_CHARS}{ZH_UNIT_CHARS}]*         # 一百二十
    )
"""


def _currency(markers: list[str]) -> str:
    """Currency markers as a pattern: a Latin one ("usd") never inside a longer word."""
    words = [m for m in markers if is_word(m)]
    signs = [m for m in markers if not is_word(m)]
    return rf"""
    (?: (?<![a-z]) (?: {alternation(words)} ) (?![a-z])
      | {alternation(signs)}
    )
    """


_CURRENCY_BEFORE = _currency(currency_markers(before=True, queries=True))
_CURRENCY_AFTER = _currency(currency_markers(queries=True))


def _amount(tag: str) -> str:
    """An amount whose groups end in ``tag``: ``cur_a`` "US$", ``num_a`` "50", ``post_a``."""
    return rf"""
        (?: (?P<cur_{tag}> {_CURRENCY_BEFORE} ) \s* )?
        (?P<num_{tag}> {_NUMBER} )
        (?: \s* (?P<post_{tag}> {_CURRENCY_AFTER} ) )?
    """


def _single(before: str, after: str) -> re.Pattern[str]:
    """One amount with comparative words before and/or after it (both optional here)."""
    return re.compile(
        rf"""
        (?: (?P<pre> {before} ) \s* )?
        {_amount("a")}
        (?: \s* (?P<suf> {after} ) )?
        """,
        re.IGNORECASE | re.VERBOSE,
    )


_UPPER = _single(
    before=r"""
        (?<![a-z]) (?: under | below | less\s+than | lower\s+than | cheaper\s+than
                     | n[o']t?\s+more\s+than | not\s+more\s+than | not\s+over | not\s+above
                     | no\s+higher\s+than | not\s+exceeding | max(?:imum)?\.? | at\s+most
                     | up\s+to | within | budget (?: \s+(?:of|is) | \s*: )? ) (?![a-z])
      | <= | =< | ≤ | <
      | 不超过 | 不超出 | 不高于 | 不大于 | 不多于 | 低于 | 少于 | 小于 | 不到 | 最多 | 最高
      | 顶多 | 预算 (?: 是 | 为 | 在 )?
    """,
    after=r"""
        (?<![a-z]) (?: or\s+(?:less|under|below|lower|cheaper) | max(?:imum)? | at\s+most
                     | tops ) (?![a-z])
      | 或以下 | 以下 | 以内 | 之内 | 或更少 | 封顶 | 内
    """,
)
_LOWER = _single(
    before=r"""
        (?<![a-z]) (?: over | above | more\s+than | greater\s+than | higher\s+than
                     | no\s+less\s+than | not\s+less\s+than | at\s+least | min(?:imum)?\.?
                     | starting\s+(?:at|from) | from ) (?![a-z])
      | >= | => | ≥ | >
      | 不低于 | 不少于 | 不小于 | 高于 | 超过 | 多于 | 大于 | 至少 | 最少 | 最低 | 起码
    """,
    after=r"""
        (?<![a-z]) (?: or\s+(?:more|above|over|higher) | and\s+(?:up|above|over|higher)
                     | plus | minimum | at\s+least ) (?![a-z])
      | \+ | 或以上 | 及以上 | 以上 | 之上 | 往上 | 起
    """,
)
_AROUND = _single(
    before=r"""
        (?<![a-z]) (?: around | about | approximately | approx\.? | roughly | circa
                     | close\s+to ) (?![a-z])
      | ~ | 〜 | ≈ | 大约 | 大概 | 差不多 | 约
    """,
    after=r"""
        (?<![a-z]) (?: or\s+so | -?ish ) (?![a-z])
      | 左右 | 上下 | 前后
    """,
)
_RANGE = re.compile(
    rf"""
    (?: (?P<pre> (?<![a-z]) (?: between | from ) (?![a-z]) | 介于 | 在 ) \s* )?
    {_amount("a")}
    \s* (?P<sep> (?<![a-z]) (?: and | to ) (?![a-z])
              | - | \u2013 | \u2014 | ~ | 〜 | 到 | 至 | 和 )   # en and em dashes
    \s*
    {_amount("b")}
    (?: \s* (?P<suf> 之间 | 之内 | 以内 | 范围内 | 区间 ) )?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_PATTERNS = (("upper", _UPPER), ("lower", _LOWER), ("around", _AROUND), ("range", _RANGE))

# Words that make a number a price only next to a currency ("from $50", "$50+").
_WEAK_WORDS = {"from", "+", "plus", "起"}

# Right after a number (without a currency): a unit that makes it not a price.
_UNIT_AFTER = re.compile(
    r"""
      [a-z%°"'\u2033\u2032]                          # glued: 18in  32gb  20%  6'  (primes)
    | \s* %
    | \s+ (?: inch(?:es)? | foot | feet | ft | cm | mm | met(?:er|re)s? | km | miles?
            | kg | lbs? | oz | grams? | ml | lit(?:er|re)s? | gb | tb | mb | mah | watts?
            | volts? | percent | pct | pairs? | packs? | pcs | pieces? | items? | units?
            | sets? | count | ct | people | persons? | kids | times | reviews? | stars?
            | days? | hours? | hrs? | minutes? | mins? | weeks? | months? | years? | yrs?
            | waist | inseam | sizes? | colou?rs? | degrees? ) (?![a-z])
    | \s* (?: 件 | 个 | 双 | 条 | 码 | 号 | 岁 | 年 | 月 | 天 | 周 | 克 | 千克 | 公斤 | 斤
            | 毫升 | 升 | 瓦 | 英寸 | 寸 | 厘米 | 公分 | 毫米 | 米 | 英尺 | 尺 | 磅 | 小时
            | 分钟 | 秒 | 次 | 人 | 套 | 包 | 只 | 张 | 本 | 台 | 部 | 瓶 | 盒 | 支 | 片
            | 度 | 层 | 位 | 款 | 种 | 色 | 倍 | 折 )
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Right before the match: a word that makes the number a size, an age or a model.
_LABEL_BEFORE = re.compile(
    r"""
    (?: (?<![a-z]) (?: sizes? | sz | waist | inseam | length | ages? | model | no\. ) (?![a-z])
      | \# | 尺码 | 尺寸 | 码数 | 腰围 | 型号 | 码 | 号
    ) \s* [:\uff1a]? \s* $
    """,
    re.IGNORECASE | re.VERBOSE,
)
# What may stand between two constraints that read as one ("over 20 and under 50").
_JOINER = re.compile(
    r"\s*(?:,|\uff0c|、|;|&|/|and|but|且|并且|而且|但是|但|同时)?\s*", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class _Constraint:
    low: float | None
    high: float | None
    start: int
    end: int
    weak: bool  # a bare amount with a currency: used only when nothing stronger is said


def parse_price(text: str) -> PriceRange | None:
    """The price range a message asks for, or None: ``"hoodie under $50" -> (None, 50.0)``."""
    norm = _normalise(text)
    found = [c for kind, pattern in _PATTERNS for c in _scan(kind, pattern, norm)]
    chosen = _longest_first(found)
    strong = [c for c in chosen if not c.weak]
    chosen = strong or chosen
    if not chosen:
        return None
    low: float | None = None
    high: float | None = None
    used: list[_Constraint] = []
    for c in chosen:
        new_low = _pick(max, low, c.low)
        new_high = _pick(min, high, c.high)
        if new_low is not None and new_high is not None and new_low > new_high:
            continue  # contradicts what came before: keep the earlier reading
        low, high = new_low, new_high
        used.append(c)
    start, end = used[0].start, used[0].end
    for c in used[1:]:
        if not _JOINER.fullmatch(norm, end, c.start):
            break
        end = c.end
    return PriceRange(low, high, (start, end), text[start:end])


def _scan(kind: str, pattern: re.Pattern[str], norm: str) -> Iterator[_Constraint]:
    """The constraints ``pattern`` finds, like ``finditer`` except that a match its context
    refuses gives back what follows its first number: in "size 32 max $50" the refused
    "32 max" must leave "max" to "$50" (else that reads as a bare "$50", around 40-60).
    """
    position = 0
    while (m := pattern.search(norm, position)) is not None:
        constraint = _constraint(kind, m, norm)
        if constraint is not None:
            yield constraint
        position = m.end() if constraint is not None else m.end("num_a")


def _normalise(text: str) -> str:
    """NFKC per character where that keeps the length (full-width digits -> ASCII)."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 and ch != _FULLWIDTH_COMMA else ch)
    return "".join(out)


def _constraint(kind: str, m: re.Match[str], norm: str) -> _Constraint | None:
    """The constraint one regex match expresses, or None when its context says otherwise."""
    tags = ("a", "b") if kind == "range" else ("a",)
    values = [_to_number(m.group(f"num_{tag}")) for tag in tags]
    if any(v is None or v > MAX_ASKED_PRICE for v in values):
        return None
    numbers = [v for v in values if v is not None]
    currency = any(m.group(f"cur_{tag}") or m.group(f"post_{tag}") for tag in tags)
    pre, suf = m.group("pre"), m.group("suf")
    if not pre and not _clean_left(norm, m.start()):
        return None
    if _LABEL_BEFORE.search(norm, max(0, m.start() - 12), m.start()):
        return None
    last = tags[-1]
    if not m.group(f"post_{last}") and not suf and _UNIT_AFTER.match(norm, m.end(f"num_{last}")):
        return None
    if m.group() == "<3":
        return None  # a heart, not "under 3"
    words = {w.strip().lower() for w in (pre, suf) if w}
    if kind == "range":
        return _range(m, numbers, currency, words)
    if words & _WEAK_WORDS and not currency:
        return None
    (value,) = numbers
    if kind == "upper" and words:
        return _Constraint(None, value, m.start(), m.end(), weak=False)
    if kind == "lower" and words:
        return _Constraint(value, None, m.start(), m.end(), weak=False)
    if kind == "around" and (words or currency):
        low, high = round(value * (1 - AROUND_BAND), 2), round(value * (1 + AROUND_BAND), 2)
        return _Constraint(low, high, m.start(), m.end(), weak=not words)
    return None  # a bare number is not a price


def _range(
    m: re.Match[str], numbers: list[float], currency: bool, words: set[str]
) -> _Constraint | None:
    """``"30 to 60 dollars"``, ``"between 30 and 60"``, ``"三十到六十"``; swapped ends are fine."""
    sep = m.group("sep").lower()
    framed = bool(words & {"between", "from", "介于", "在"}) or bool(m.group("suf"))
    if sep in {"and", "和"}:
        if not framed:
            return None
    elif not (currency or framed or sep in {"到", "至"}):
        return None
    if not currency and all(v.is_integer() and 1900 <= v <= 2100 for v in numbers):
        return None  # "2019到2021": years
    return _Constraint(min(numbers), max(numbers), m.start(), m.end(), weak=False)


def _clean_left(norm: str, start: int) -> bool:
    """Whether an amount at ``start`` stands on its own, not inside "ViT-B-32" or "-50"."""
    if start == 0:
        return True
    ch = norm[start - 1]
    return not (ch.isascii() and (ch.isalnum() or ch in ".,_-/")) and ch not in ZH_NUMERAL_CHARS


def _longest_first(found: list[_Constraint]) -> list[_Constraint]:
    """Non-overlapping constraints, longer matches winning, back in text order."""
    kept: list[_Constraint] = []
    for c in sorted(found, key=lambda c: (c.start - c.end, c.start, c.weak)):
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _pick(
    better: Callable[[float, float], float], a: float | None, b: float | None
) -> float | None:
    """``better(a, b)`` where None means "no bound": ``_pick(max, None, 3.0) -> 3.0``."""
    if a is None or b is None:
        return b if a is None else a
    return better(a, b)


def _to_number(raw: str) -> float | None:
    """A matched number as a float: ``"1,299" -> 1299.0``, ``"1.5k" -> 1500.0``.

    A Chinese numeral longer than 12 characters is too long to be a price: None.
    """
    if raw[0] in ZH_NUMERAL_CHARS:
        return float(chinese_number(raw)) if len(raw) <= 12 else None
    scale = {"k": 1000, "K": 1000, "千": 1000, "万": 10000}.get(raw[-1], 1)
    digits = raw[:-1] if scale != 1 else raw
    return float(digits.replace(",", "")) * scale
