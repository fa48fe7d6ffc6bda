"""Understand a turn: intent, language, and which products the shopper refers to.

Rules first, in English and Chinese: cue phrases decide the intent; product names,
ordinals ("the second one", "第二个"), pronouns ("it", "那件") and pairs ("these
two", "这两个") resolve against what the conversation showed. A wrong guess here
changes which facts are computed, never what they say: every fact still comes from
the catalog, and an unresolved reference asks back instead of guessing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from index.numerals import chinese_number
from index.records import Product
from index.text import Tokenizer, is_cjk

from .state import Conversation

INTENTS = (
    "find",
    "ask",
    "compare",
    "recommend",
    "reviews",
    "availability",
    "photo",
    "help",
    "chitchat",
    "out_of_scope",
)

_CUES: dict[str, re.Pattern[str]] = {
    "compare": re.compile(
        r"\b(compare|comparison|vs\.?|versus|differences?|which (one )?is (cheaper|better|"
        r"more expensive|lighter|warmer))\b"
        r"|比较|对比|比一下|比一比|哪个(更)?(便宜|好|贵)|区别|差别",
        re.I,
    ),
    "reviews": re.compile(
        r"\b(reviews?|reviewers?|ratings?|rated|stars?"
        r"|what do (people|customers|others) (say|think))\b"
        r"|评价|评论|口碑|评分|好评|差评",
        re.I,
    ),
    "availability": re.compile(
        r"\b(in stock|available|availability|what sizes?|which sizes?|what colou?rs?|"
        r"which colou?rs?|come in|comes in|does it come|"
        r"(do|does) (you|it) have (it|this|that|them|one)? ?in)\b"
        r"|有货|有没有.{0,6}(码|号|色)|有.{0,6}(码|号|色)的?吗|什么颜色|哪些颜色|几种颜色|什么尺码|哪些尺码|有什么码",
        re.I,
    ),
    "recommend": re.compile(
        r"\b(recommend|suggest|goes? with|go with|pair with|match with|similar|alternatives?|"
        r"instead|complement|what else)\b|推荐|搭配|配什么|类似|相似|替代|还有什么",
        re.I,
    ),
    "ask": re.compile(
        r"\b(how much|price of|cost|made of|material|fabric|tell me (more )?about|details?|"
        r"describe|what is|what's|on sale|discount(ed)?|special price|deal)\b"
        r"|打折|促销|优惠|特价|多少钱|价格|价钱|什么材质|材料|面料|介绍|详情",
        re.I,
    ),
    "help": re.compile(
        r"^\s*(help|\?|what can you do|how does this work)\b|帮助|你能做什么|怎么用", re.I
    ),
    "chitchat": re.compile(
        r"^\s*(hi|hello|hey|thanks?|thank you|good (morning|afternoon|evening)|bye|ok|okay)"
        r"\b[\s!.]*$|^\s*(你好|您好|谢谢|多谢|再见|嗨)[\s!！。]*$",
        re.I,
    ),
    "out_of_scope": re.compile(
        r"\b(weather|politic|election|stock market|bitcoin|write (me )?(a |some )?(code|poem|essay)"
        r"|ignore (all |the )?(previous|above) instructions|system prompt)\b"
        r"|天气|政治|股票|写代码|写诗|忽略(之前|以上)|系统提示|提示词",
        re.I,
    ),
}

_ORDINALS_EN = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
    "4th": 4, "fifth": 5, "5th": 5, "last": -1,
}  # fmt: skip
_ORDINAL_EN = re.compile(
    r"\b(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)(?:\s+(?:one|item|product))?\b"
    r"|(?:number|no\.|#)\s*(\d{1,2})\b",
    re.I,
)
_ORDINAL_ZH = re.compile(
    r"第\s*([一二三四五六七八九]|\d{1,2})\s*(个|件|款|条|双|种|项)?|最后(一)?(个|件|款)"
)
_PAIR = re.compile(
    r"\b(these two|those two|both( of them)?|the two)\b|这两(个|件|款)|那两(个|件|款)|两个都", re.I
)
_PRONOUN = re.compile(
    r"\b(it|its|this one|that one|this|that|them|they)\b|这件|那件|这个|那个|这款|那款|它",
    re.I,
)
_CHEAPER = re.compile(r"\b(cheaper|less expensive|lower price)\b|更便宜|便宜(一)?点|便宜些", re.I)
_BETTER = re.compile(
    r"\b(better|higher)[- ]rated\b|\b(better|higher) (reviews|ratings?)\b"
    r"|评分更高|评价更好|好评更多|口碑更好",
    re.I,
)

# Superlatives rank what a search (or the list shown) holds: the order is computed.
RANKS: dict[str, re.Pattern[str]] = {
    "cheapest": re.compile(
        r"\b(cheapest|least expensive|lowest[- ]priced|most affordable)\b|最便宜|价格最低|最实惠",
        re.I,
    ),
    "dearest": re.compile(
        r"\b(most expensive|priciest|dearest|highest[- ]priced)\b|最贵|价格最高", re.I
    ),
    "best_rated": re.compile(
        r"\b(best|top|highest)[- ]rated\b|\bbest reviewed\b|评分最高|评价最好|好评最多|口碑最好",
        re.I,
    ),
}
_AMONG = re.compile(r"\b(of|among) (these|them|those|the results)\b|这些|这几(个|款|件)|其中", re.I)


@dataclass(frozen=True, slots=True)
class Understanding:
    intent: str
    lang: str
    products: tuple[str, ...] = ()
    cheaper_than: str | None = None
    better_than: str | None = None
    rank: str | None = None
    unresolved: bool = False


class NameIndex:
    """Finds product names in a message: whole names, or a word only one product has."""

    def __init__(self, products: Sequence[Product], tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer
        self._names = [(p.id, tuple(tokenizer.tokens(p.name))) for p in products]
        counts = Counter(t for _, tokens in self._names for t in set(tokens))
        self._distinct = {
            t: pid for pid, tokens in self._names for t in tokens
            if counts[t] == 1 and len(t) > 3 and t.isalpha()
        }  # fmt: skip

    def find(self, message: str) -> list[str]:
        """Ids of the products the message names, in the order it names them."""
        tokens = self._tokenizer.tokens(message)
        found: dict[str, int] = {}
        for pid, name in self._names:
            for start in range(len(tokens) - len(name) + 1):
                if name and tuple(tokens[start : start + len(name)]) == name:
                    found.setdefault(pid, start)
        for position, token in enumerate(tokens):
            if token in self._distinct:
                found.setdefault(self._distinct[token], position)
        return sorted(found, key=found.__getitem__)


def understand(
    message: str, conversation: Conversation, names: NameIndex, *, has_photo: bool = False
) -> Understanding:
    """The intent and the referenced products of one shopper message."""
    lang = "zh" if is_cjk(message) else ("en" if message.strip() else conversation.lang)
    products = names.find(message)
    intent = _intent(message, has_photo, named=bool(products))
    unresolved = False
    if not products:
        products, unresolved = _references(message, conversation)
    cheaper_than = better_than = None
    anchor = (products or conversation.focus)[:1]
    if intent != "compare" and anchor:
        if _CHEAPER.search(message):
            cheaper_than, intent = anchor[0], "recommend"
        elif _BETTER.search(message):
            better_than, intent = anchor[0], "recommend"
    if intent == "find" and len(products) >= 2 and re.search(r"\bor\b|还是|和|与|\band\b", message):
        intent = "compare"
    rank = next((name for name, pattern in RANKS.items() if pattern.search(message)), None)
    if rank and len(products) < 2:
        intent, cheaper_than, better_than = "find", None, None
        among = _AMONG.search(message) and conversation.shown
        products, unresolved = (list(conversation.shown), False) if among else ([], False)
    if intent == "compare" and len(products) < 2 and not products:
        pair = conversation.focus if len(conversation.focus) >= 2 else conversation.shown
        products = pair[:2] if len(pair) >= 2 else []
    return Understanding(
        intent=intent,
        lang=lang,
        products=tuple(products),
        cheaper_than=cheaper_than,
        better_than=better_than,
        rank=rank,
        unresolved=unresolved,
    )


def _intent(message: str, has_photo: bool, *, named: bool = False) -> str:
    """The first cue that matches; "out of scope" never when a product is named, since
    names such as "Summit All-Weather Shell" carry its cue words."""
    if not any(ch.isalnum() for ch in message):  # nothing but spaces, emoji, punctuation
        return "photo" if has_photo else "help"
    cues = ("chitchat", "help", "compare", "reviews", "availability")
    for intent in cues if named else ("out_of_scope", *cues):
        if _CUES[intent].search(message):
            return intent
    if _CUES["recommend"].search(message):
        return "recommend"
    if _CUES["ask"].search(message):
        return "ask"
    return "photo" if has_photo else "find"


def _references(message: str, conversation: Conversation) -> tuple[list[str], bool]:
    """Products meant by ordinals, pairs and pronouns; (ids, whether one was left unresolved)."""
    shown = conversation.shown
    if _PAIR.search(message):
        pair = conversation.focus if len(conversation.focus) >= 2 else shown
        return (pair[:2], False) if len(pair) >= 2 else ([], True)
    positions = [_ordinal(m) for m in _ORDINAL_EN.finditer(message)]
    positions += [_ordinal_zh(m) for m in _ORDINAL_ZH.finditer(message)]
    picked = []
    for position in positions:
        index = position - 1 if position > 0 else len(shown) + position
        if 0 <= index < len(shown):
            picked.append(shown[index])
        else:
            return [], True
    if picked:
        return list(dict.fromkeys(picked)), False
    if _PRONOUN.search(message) and conversation.focus:
        return conversation.focus[:1], False
    return [], False


def _ordinal(match: re.Match[str]) -> int:
    word, number = match.group(1), match.group(2)
    return int(number) if number else _ORDINALS_EN[word.lower()]


def _ordinal_zh(match: re.Match[str]) -> int:
    value = match.group(1)
    if value is None:
        return -1
    return int(value) if value.isdigit() else int(chinese_number(value))
