"""Numbers written as words, read in one place: Chinese numerals and English number words.

The price parser reads "一百二以内" in a query and the grounding check reads "三十四美元"
and "twenty-five dollars" in an answer; both read them here, so a shopper's numeral and
the model's can never be read two ways.

Chinese numerals are read the way a shop writes them:

- with units: 三十四 = 34, 一千零五 = 1005, 一万零一十 = 10010, 十五 = 15;
- colloquially, a last digit right after 百, 千 or 万 counts one place lower: 一百二 = 120,
  两千五 = 2500, 三万五 = 35000 (一百零二 stays 102);
- digit by digit when there is no unit, like a year or a code: 二零 = 20, 二零二四 = 2024;
- 两 is 2 and 〇 is 0; after 点 the decimals are read digit by digit: 四点五 = 4.5.

Any run of these characters gets a value, malformed ones too ("十十" = 20): the grounding
check must treat a garbled numeral an LLM wrote as a number, not skip it.

Why not the ``cn2an`` library (0.5.24): it reads every well-formed numeral above the same
way (checked on the standard readings of 1 to 10^8, the colloquial and digit-by-digit
forms and 点 decimals), but it raises ValueError on runs the price and grounding patterns
match ("十十", "零十", "十零"), so a second parser would still be needed beside it. Its wheel
also installs top-level ``build/``, ``example/`` and ``src/`` folders into site-packages,
pulls in ``proces``, and returns binary floats for decimals.
"""

from __future__ import annotations

import re
from decimal import Decimal

ZH_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# For regex character classes: "[" + ZH_DIGIT_CHARS + ZH_UNIT_CHARS + "]".
ZH_DIGIT_CHARS = "".join(ZH_DIGITS)
ZH_UNIT_CHARS = "".join(ZH_UNITS)
ZH_NUMERAL_CHARS = frozenset(ZH_DIGITS) | frozenset(ZH_UNITS)

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
EN_WORDS = {word: value for value, word in enumerate(_ONES.split(" "))}
EN_WORDS.update({word: 10 * value for value, word in enumerate(_TENS.split(" "), 2)})
# A regex alternative of one number word, longest first ("seventeen" before "seven").
EN_NUMBER_WORD = "|".join(sorted([*EN_WORDS, "hundred", "thousand"], key=len, reverse=True))
_EN_SEPARATOR = re.compile(r"[\s\-]+")


def chinese_number(text: str) -> Decimal:
    """The value of a Chinese numeral: ``"一百二" -> 120``, ``"四点五" -> 4.5``, ``"二零" -> 20``.

    Raises ValueError for a character that is no numeral.
    """
    whole, _, fraction = text.partition("点")
    if not set(whole) <= ZH_NUMERAL_CHARS or not set(fraction) <= ZH_DIGITS.keys():
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if fraction:
        return Decimal(f"{_whole(whole)}.{_digit_by_digit(fraction)}")
    return Decimal(_whole(whole))


def _digit_by_digit(text: str) -> str:
    return "".join(str(ZH_DIGITS[ch]) for ch in text)


def _whole(text: str) -> int:
    if all(ch in ZH_DIGITS for ch in text):  # no unit: a year, a code, or nothing (点五)
        return int(_digit_by_digit(text)) if text else 0
    total = section = digit = 0
    last_unit = 1
    for ch in text:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
        elif ch == "万":
            total += (section + digit or 1) * 10000
            section = digit = 0
            last_unit = 10000
        else:
            last_unit = ZH_UNITS[ch]
            section += (digit or 1) * last_unit
            digit = 0
    if digit and last_unit >= 100 and text[-2] not in ZH_DIGITS:
        digit *= last_unit // 10  # "一百二" is 120, "一百零二" 102
    return total + section + digit


def english_number(text: str) -> Decimal:
    """The value of English number words: ``"twenty-five" -> 25``, ``"one hundred and five"
    -> 105``. Words that are no number ("and") are skipped."""
    total = current = 0
    for word in _EN_SEPARATOR.split(text.casefold()):
        if word in EN_WORDS:
            current += EN_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
    return Decimal(total + current)
