"""Product names, colours and materials in an answer, and whether the facts hold them.

Names are the catalog's (case-insensitive, plural-insensitive, ``™``/``®`` optional);
a name the facts do not hold is a product the answer was not given. Colours and
materials are the catalog's words, common English ones, and common Chinese ones mapped
to English (红 red, 蓝 blue...; 棉 cotton, 羊毛 wool...); one that no fact holds was
invented. A shorter material inside an allowed one is fine ("cotton" for "Organic
Cotton"), and a colour character inside a word that names no colour ("明白") is none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from index.records import Product

from ..facts import Facts
from .text import END, START, alternation, key, mask

COMMON_COLORS = (
    "red", "blue", "black", "white", "gray", "grey", "green", "yellow", "orange",
    "purple", "pink", "brown", "beige", "navy", "lavender",
)  # fmt: skip
ZH_COLORS = {
    "薰衣草": "lavender", "淡紫": "lavender", "咖啡色": "brown", "海军蓝": "navy",
    "藏青": "navy", "米色": "beige", "红": "red", "蓝": "blue", "黑": "black",
    "白": "white", "灰": "gray", "绿": "green", "黄": "yellow", "橙": "orange",
    "紫": "purple", "粉": "pink", "棕": "brown", "褐": "brown",
}  # fmt: skip
# Compounds in which a colour character names no colour ("明白" = understand).
ZH_NOT_COLORS = (
    "明白", "空白", "白天", "坦白", "白费", "蓝牙", "粉丝", "面粉", "黄金", "灰尘", "灰心",
    "网红", "红包", "红利", "黑客", "黑名单",
)  # fmt: skip
ZH_MATERIALS = {
    "有机棉": "organic cotton", "纯棉": "cotton", "全棉": "cotton", "棉": "cotton",
    "羊毛": "wool", "羊绒": "cashmere", "尼龙": "nylon", "涤纶": "polyester",
    "聚酯纤维": "polyester", "聚酯": "polyester", "真皮": "leather", "皮革": "leather",
    "抓绒": "fleece", "摇粒绒": "fleece", "氨纶": "spandex", "网眼": "mesh",
    "帆布": "canvas", "橡胶": "rubber", "塑料": "plastic", "不锈钢": "stainless steel",
    "硅胶": "silicone", "金属": "metal", "亚麻": "linen", "丝绸": "silk",
}  # fmt: skip


def catalog_vocabulary(products: Iterable[Product]) -> dict[str, tuple[str, ...]]:
    """``known_names``, ``known_colors``, ``known_materials`` of a catalog, for ``check``."""
    names: set[str] = set()
    colors: set[str] = set()
    mats: set[str] = set()
    for p in products:
        names.add(p.name)
        colors.update(p.colors)
        value = p.attributes.get("material")
        mats.update(value if isinstance(value, tuple) else ())
    return {
        "known_names": tuple(sorted(names)),
        "known_colors": tuple(sorted(colors)),
        "known_materials": tuple(sorted(mats)),
    }


@lru_cache(maxsize=16)
def _names_re(names: frozenset[str]) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    return alternation(names, plural=True), frozenset(key(n) for n in names)


@lru_cache(maxsize=16)
def _words_re(words: frozenset[str]) -> re.Pattern[str] | None:
    return alternation(words, plural=False)


def _zh_re(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


_ZH_COLOR_RE = _zh_re(ZH_COLORS)
_ZH_NOT_COLOR_RE = _zh_re(ZH_NOT_COLORS)
_ZH_MATERIAL_RE = _zh_re(ZH_MATERIALS)


def name_spans(text: str, names: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, key) of product names, longest first, without overlaps."""
    pattern, keys = _names_re(names)
    if pattern is None:
        return []
    spans = []
    for m in pattern.finditer(text):
        found = key(m[0])
        for name in (found, found[:-1], found[:-2]):
            if name in keys:
                spans.append((m.start(), m.end(), name))
                break
    return spans


def check_words(
    text: str, facts: Facts, colors: Iterable[str], materials: Iterable[str]
) -> list[str]:
    """A problem for each colour or material in ``text`` that no fact holds."""
    allowed = " | ".join(key(w) for w in facts.words()).replace("grey", "gray")
    problems = []

    def supported(word: str) -> bool:
        word = "gray" if word == "grey" else word
        return re.search(f"{START}{re.escape(word)}{END}", allowed) is not None

    found: list[tuple[str, str]] = []
    material_re = _words_re(frozenset(materials) | frozenset(ZH_MATERIALS.values()))
    if material_re is not None:
        for m in material_re.finditer(text):
            found.append(("material", key(m[0])))
        text = mask(text, [m.span() for m in material_re.finditer(text)])
    found += [("material", ZH_MATERIALS[m[0]]) for m in _ZH_MATERIAL_RE.finditer(text)]
    color_re = _words_re(frozenset(colors) | frozenset(COMMON_COLORS))
    if color_re is not None:
        found += [("colour", key(m[0])) for m in color_re.finditer(text)]
    zh_text = _ZH_NOT_COLOR_RE.sub(lambda m: " " * len(m[0]), text)
    found += [("colour", ZH_COLORS[m[0]]) for m in _ZH_COLOR_RE.finditer(zh_text)]
    for kind, word in dict.fromkeys(found):
        if not supported(word):
            problems.append(f"{kind} not in the facts: {word!r}")
    return problems
