"""Check an LLM's phrasing against the facts it was given, in English and Chinese.

The LLM may only rephrase; so every number, currency, product name, colour and
material in its text must be found in the ``Facts`` (see ``facts.py``). Anything else
is a problem, and the engine falls back to the templated answer. Strict by default:

- Numbers: digits (``$34``, ``34.00``, ``1,299``, ``1.5k``, ``25%``, ``4.5分``, fullwidth
  digits) anywhere, and spelled numbers when they quantify (``three stars``,
  ``三十四美元``, ``四点五分``, ``两款``). A number is allowed when, rounded to cents, it
  is one of ``facts.numbers()`` (so ``$34`` = ``34.0``); one with a currency marker
  must be an amount of money in the facts (``Facts.amounts``): a count, rating or
  percentage is a number but no price, so "$1" is refused when one product is shown.
  "Free" (``免费``, "no charge") is a price of 0, refused unless an amount is 0 or it
  is part of a value the facts hold, repeated whole ("Free Size").
  Exempt, because they state no fact: list markers at a line start (``1.``, ``2)``,
  ``3、``) and ordinals (``第2``, ``2nd``) up to the number of products; the rating
  scale (``/5``, ``out of 5``, ``满分5分``); a lone ``一`` used as an article (``一款``,
  ``一个``) and ``十分`` (very).
- Currency: a marker of another currency (``¥ 元 块 人民币 RMB € £ 欧元``...) next to a
  number, or an unambiguous one anywhere, when the facts are priced in, say, USD.
- Names: any catalog product name (case-insensitive, plural-insensitive, ``™``/``®``
  optional) that is not one of the facts' products or variants.
- Colours and materials: catalog and common English words, common Chinese words mapped
  to English (红 red, 蓝 blue...; 棉 cotton, 羊毛 wool...), that no fact holds. A
  shorter material inside an allowed one is fine ("cotton" for "Organic Cotton").
- Price comparisons: "A is cheaper than B" / "A 比 B 便宜" (and "more expensive" /
  "贵") between two of the facts' products must agree with their prices.

Product names and the facts' product ids are masked before numbers are read, so the
``6`` of "Sprite Yoga Strap 6 foot" or the ``01`` of ``24-MB01`` is never a claim.
Compromise: only money is typed; a bare "25" passes when 25% is a fact. Money is
found by the facts' field names (``facts.is_money_key``): a money
field named otherwise must be added there, or rewordings that state it fall back to
the template.

``prompt_echoes`` finds the model repeating its own prompt; it needs the prompt, so the
engine calls it (see its docstring).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from index.records import Product

from .facts import CENT, Facts

# -- vocabularies -------------------------------------------------------------------

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

CURRENCY_MARKERS = {
    "USD": ("US$", "$", "USD", "美元", "美金", "dollars", "dollar", "bucks"),
    "CNY": ("¥", "RMB", "CNY", "人民币", "块钱", "块", "元", "yuan"),
    "EUR": ("€", "EUR", "欧元", "euros", "euro"),
    "GBP": ("£", "GBP", "英镑", "pounds", "pound"),
    "JPY": ("JPY", "日元", "yen"),
}
# Markers that mean a currency wherever they stand (元 and 块 only next to a number).
_ANYWHERE = ("¥", "RMB", "CNY", "人民币", "€", "EUR", "欧元", "£", "GBP", "英镑", "日元", "JPY")
_MARKER_CURRENCY = {m.casefold(): cur for cur, ms in CURRENCY_MARKERS.items() for m in ms}
_CURRENCY_WORD = {"USD": ("$", "美元"), "EUR": ("€", "欧元"), "GBP": ("£", "英镑")}


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


# -- normalisation ------------------------------------------------------------------

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，％＄￥：", "0123456789.,%$¥:")
_MARKS = re.compile("[™®©]")
_SPACE = re.compile(r"[\s\-]+")
_A = r"(?<![A-Za-z0-9])"  # ASCII boundaries: CJK characters are \w, so \b fails next to them
_Z = r"(?![A-Za-z0-9])"


def normalise(text: str) -> str:
    return _MARKS.sub("", text.translate(_FULLWIDTH))


def _key(name: str) -> str:
    return _SPACE.sub(" ", normalise(name)).strip().casefold()


def _alternation(words: Iterable[str], *, plural: bool = False) -> re.Pattern[str] | None:
    parts = sorted({_key(w) for w in words if _key(w)}, key=len, reverse=True)
    if not parts:
        return None
    body = "|".join(r"[\s\-]+".join(map(re.escape, p.split(" "))) for p in parts)
    tail = r"(?:e?s)?" if plural else ""
    return re.compile(f"{_A}(?:{body}){tail}{_Z}", re.I)


@lru_cache(maxsize=16)
def _names_re(names: frozenset[str]) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    return _alternation(names, plural=True), frozenset(_key(n) for n in names)


@lru_cache(maxsize=16)
def _words_re(words: frozenset[str]) -> re.Pattern[str] | None:
    return _alternation(words, plural=False)


def _zh_re(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


_ZH_COLOR_RE = _zh_re(ZH_COLORS)
_ZH_NOT_COLOR_RE = _zh_re(ZH_NOT_COLORS)
_ZH_MATERIAL_RE = _zh_re(ZH_MATERIALS)

# -- numbers ------------------------------------------------------------------------

_UNIT = (
    r"美元|美金|人民币|块钱|块|元|欧元|英镑|日元|RMB|CNY|USD|EUR|GBP|JPY|[$€£¥%]|"
    r"dollars?|bucks|euros?|pounds?|yuan|yen|percent|per cent|stars?|颗星|星|分|"
    r"条|个|款|件|种|位|倍|折"
)
_DIGITS = re.compile(
    r"(?P<pre>US\$|[$€£¥]|(?:USD|RMB|CNY|EUR|GBP)\s?)?"
    r"(?P<num>(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?)"
    r"(?P<k>[kK](?![A-Za-z]))?"
    rf"(?:\s*(?P<post>{_UNIT}))?"
    r"(?P<ord>st|nd|rd|th)?",
)
_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_POWER = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_ZH_NUM = re.compile(
    r"(?P<pre>百分之|第)?(?P<num>[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?)"
    rf"(?:\s*(?P<post>{_UNIT}))?"
)
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_EN_WORD = {w: i for i, w in enumerate(_ONES.split(" "))}
_EN_WORD.update({w: 10 * i for i, w in enumerate(_TENS.split(" "), 2)})
_EN_WORDS = "|".join(sorted(_EN_WORD, key=len, reverse=True))
_EN_NUM = re.compile(
    rf"{_A}(?P<num>(?:(?:{_EN_WORDS}|hundred|thousand)(?:[\s\-]+(?:and[\s\-]+)?)?)+)"
    r"(?P<post>dollars?|bucks|stars?|percent|per cent|reviews?|ratings?|colou?rs?|sizes?|"
    r"products?|items?|options?|times|euros?|pounds?|yuan)\b",
    re.I,
)
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:[-*•][ \t]*)?(\d{1,2})(?:[.)、:]|\uff09)(?!\d)")
_SCALE = re.compile(r"(?:/\s*|out of\s+|满分\s*)(?:5|five|五)(?:\s*分|\s*stars?)?(?!\d)|5\s*分制")


def _zh_value(text: str) -> Decimal:
    """三十四 -> 34, 四点五 -> 4.5, 一千二百 -> 1200, 二五 -> 25 (digit by digit)."""
    whole, _, frac = text.partition("点")
    total, section, digit = 0, 0, None
    if not any(ch in _ZH_POWER for ch in whole):
        total = int("".join(str(_ZH_DIGIT[ch]) for ch in whole)) if whole else 0
    else:
        for ch in whole:
            if ch in _ZH_DIGIT:
                digit = _ZH_DIGIT[ch]
            elif ch == "万":
                total = (total + section + (digit or 0)) * 10000
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * _ZH_POWER[ch]
                digit = None
        total += section + (digit or 0)
    if frac:
        return Decimal(f"{total}.{''.join(str(_ZH_DIGIT[ch]) for ch in frac)}")
    return Decimal(total)


def _en_value(text: str) -> Decimal:
    """ "twenty-five" -> 25, "one hundred and five" -> 105."""
    total, current = 0, 0
    for word in re.split(r"[\s\-]+", text.casefold()):
        if word in _EN_WORD:
            current += _EN_WORD[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
    return Decimal(total + current)


@dataclass(frozen=True)
class Claim:
    """A number read from the text, with the currency marker next to it, if any."""

    text: str
    value: Decimal
    currency: str | None
    ordinal: bool = False


def numbers_in(text: str) -> list[Claim]:
    """Quantities stated in (normalised, masked) ``text``; exempt ones left out.

    "Save $25 (42%)" -> [Claim("$25", 25, "USD"), Claim("42%", 42, None)]
    Scales ("/5") and list markers are masked before, by ``_mask_exempt``.
    """
    claims: list[Claim] = []
    for m in _DIGITS.finditer(text):
        try:
            value = Decimal(m["num"].replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numerals
            continue
        if m["k"]:
            value *= 1000
        marker = m["pre"] or m["post"]
        claims.append(Claim(m[0].strip(), value, _currency(marker), bool(m["ord"])))
    for m in _ZH_NUM.finditer(text):
        raw, post, pre = m["num"], m["post"], m["pre"]
        if not (post or pre == "百分之" or "点" in raw):
            continue  # 一些, 一样, 万一: a numeral with no unit claims nothing
        if raw == "一" and post in ("个", "款", "件", "种", "条", "位", "块"):
            continue  # the article "a" (一块瑜伽砖 = a yoga brick)
        if raw == "十" and post == "分":
            continue  # 十分 = very
        claims.append(Claim(m[0], _zh_value(raw), _currency(post), pre == "第"))
    for m in _EN_NUM.finditer(text):
        claims.append(Claim(m[0], _en_value(m["num"]), _currency(m["post"])))
    return claims


def _currency(marker: str | None) -> str | None:
    if not marker:
        return None
    return _MARKER_CURRENCY.get(marker.strip().casefold())


# -- money --------------------------------------------------------------------------

# "Free" states a price of 0. Not "feel free (to ...)", "free to choose" or "chafe-free".
_FREE = re.compile(
    r"(?<![\w-])(?<!feel )(?:free(?! to\b)(?: of charge)?|no charge|at no cost|costs? nothing)"
    r"(?![\w-])|免费|不要钱|白送|零元",
    re.I,
)

# -- the check ----------------------------------------------------------------------


@dataclass(frozen=True)
class GroundingResult:
    """``ok`` when nothing in the text goes beyond the facts; else what did, one a line."""

    ok: bool
    problems: list[str] = field(default_factory=list)


def check(
    text: str,
    facts: Facts,
    *,
    lang: str,
    known_names: Iterable[str] = (),
    known_colors: Iterable[str] = (),
    known_materials: Iterable[str] = (),
) -> GroundingResult:
    """Every number, currency, name, colour and material in ``text`` must be in ``facts``.

    ``known_*`` are the catalog's vocabularies (see ``catalog_vocabulary``); a product
    name is only recognised if it is known or in the facts. ``lang`` ("en"/"zh") only
    picks the currency word suggested in a problem: both scripts are always checked,
    since an answer in Chinese quotes English names and an English one may slip.
    """
    problems: list[str] = []
    body = normalise(text)
    allowed_names = {_key(n): n for n in facts.names()}
    allowed_names.update({_key(p.name): p.name for p in facts.products})
    spans = _name_spans(body, frozenset(known_names) | facts.names())
    mentioned: list[tuple[int, str]] = []
    for start, end, key in spans:
        if key in allowed_names:
            mentioned.append((start, allowed_names[key]))
        else:
            problems.append(f"product not in the facts: {body[start:end]!r}")
    masked = _mask(body, [(s, e) for s, e, _ in spans])
    for ref in facts.products:
        masked = masked.replace(ref.product_id, " " * len(ref.product_id))

    problems += _check_numbers(masked, facts, lang)
    problems += _check_words(masked, facts, known_colors, known_materials)
    problems += _check_comparisons(body, mentioned, facts)
    return GroundingResult(not problems, problems)


def _name_spans(text: str, names: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, key) of product names, longest first, without overlaps."""
    pattern, keys = _names_re(names)
    if pattern is None:
        return []
    spans = []
    for m in pattern.finditer(text):
        found = _key(m[0])
        for key in (found, found[:-1], found[:-2]):
            if key in keys:
                spans.append((m.start(), m.end(), key))
                break
    return spans


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _check_numbers(text: str, facts: Facts, lang: str) -> list[str]:
    problems = []
    allowed = facts.numbers()
    amounts = facts.amounts()
    ordinal_max = max(len(facts.products), 1)
    for claim in numbers_in(_mask_exempt(text, ordinal_max)):
        if claim.currency and claim.currency != facts.currency:
            problems.append(
                f"currency: {claim.text!r} is not {facts.currency}"
                f" (write {_currency_word(facts.currency, lang)})"
            )
        whole = claim.value == claim.value.to_integral_value()
        if claim.ordinal and whole and 1 <= claim.value <= ordinal_max:
            continue
        # No price has 16 digits; quantizing a longer run of digits would overflow.
        cents = None if claim.value.adjusted() > 15 else claim.value.quantize(CENT, ROUND_HALF_UP)
        if cents is None or cents not in allowed:
            problems.append(f"number not in the facts: {claim.text!r}")
        elif claim.currency and cents not in amounts:
            problems.append(f"number not in the facts as an amount of money: {claim.text!r}")
    if Decimal("0.00") not in amounts:
        problems += [
            f"number not in the facts: {m[0]!r} (a price of 0)"
            for m in _FREE.finditer(_mask_catalog_free(text, facts))
        ]
    for marker in _ANYWHERE:
        if marker not in text or _MARKER_CURRENCY[marker.casefold()] == facts.currency:
            continue
        if not any(marker in p for p in problems):
            problems.append(f"currency: {marker!r} is not {facts.currency}")
    return problems


def _mask_catalog_free(text: str, facts: Facts) -> str:
    """Blank the facts' own values that say "free" ("Free Size"), each only where the
    text repeats it whole: a size is no price, but "free" in a sentence of its own is."""
    for word in facts.words():
        if _FREE.search(word):
            text = re.sub(re.escape(word), lambda m: " " * len(m[0]), text, flags=re.I)
    return text


def _mask_exempt(text: str, ordinal_max: int) -> str:
    """Blank the rating scale ("/5", "out of 5") and list markers up to ``ordinal_max``."""
    text = _SCALE.sub(lambda m: " " * len(m[0]), text)

    def marker(m: re.Match[str]) -> str:
        return m[0] if int(m[1]) > ordinal_max else " " * len(m[0])

    return _LIST_MARKER.sub(marker, text)


def _currency_word(currency: str, lang: str) -> str:
    words = _CURRENCY_WORD.get(currency, (currency, currency))
    return words[1] if lang == "zh" else words[0]


def _check_words(
    text: str, facts: Facts, colors: Iterable[str], materials: Iterable[str]
) -> list[str]:
    allowed = " | ".join(_key(w) for w in facts.words()).replace("grey", "gray")
    problems = []

    def supported(word: str) -> bool:
        word = "gray" if word == "grey" else word
        return re.search(f"{_A}{re.escape(word)}{_Z}", allowed) is not None

    found: list[tuple[str, str]] = []
    material_re = _words_re(frozenset(materials) | frozenset(ZH_MATERIALS.values()))
    if material_re is not None:
        for m in material_re.finditer(text):
            found.append(("material", _key(m[0])))
        text = _mask(text, [m.span() for m in material_re.finditer(text)])
    found += [("material", ZH_MATERIALS[m[0]]) for m in _ZH_MATERIAL_RE.finditer(text)]
    color_re = _words_re(frozenset(colors) | frozenset(COMMON_COLORS))
    if color_re is not None:
        found += [("colour", _key(m[0])) for m in color_re.finditer(text)]
    zh_text = _ZH_NOT_COLOR_RE.sub(lambda m: " " * len(m[0]), text)
    found += [("colour", ZH_COLORS[m[0]]) for m in _ZH_COLOR_RE.finditer(zh_text)]
    for kind, word in dict.fromkeys(found):
        if not supported(word):
            problems.append(f"{kind} not in the facts: {word!r}")
    return problems


_CHEAPER = re.compile(
    r"\b(?:cheaper|less expensive|more affordable|lower[- ]priced)\b|比(?=[^比]*便宜)", re.I
)
_DEARER = re.compile(
    r"\b(?:more expensive|pricier|dearer|costs? more|higher[- ]priced)\b|比(?=[^比]*贵)", re.I
)
_SENTENCE = re.compile(r"(?:[^.!?。！？;；\n]|\.(?=\d))+")


def _check_comparisons(text: str, mentioned: list[tuple[int, str]], facts: Facts) -> list[str]:
    """ "A is cheaper than B" / "A 比 B 便宜": A is the last name before the comparative
    (or 比), B the first after it; their facts' prices must agree. Other word orders
    ("compared with B, A is cheaper") are not read."""
    price = {p.name: p.price for p in facts.products}
    problems = []
    for sentence in _SENTENCE.finditer(text):
        names = [(s, n) for s, n in mentioned if sentence.start() <= s < sentence.end()]
        for pattern, cheaper in ((_CHEAPER, True), (_DEARER, False)):
            for m in pattern.finditer(text, sentence.start(), sentence.end()):
                before = [n for s, n in names if s < m.start()]
                after = [n for s, n in names if s >= m.end()]
                if not before or not after or before[-1] == after[0]:
                    continue
                first, second = before[-1], after[0]
                if first not in price or second not in price:
                    continue
                if cheaper and not price[first] < price[second]:
                    problems.append(f"comparison: {first!r} is not cheaper than {second!r}")
                if not cheaper and not price[first] > price[second]:
                    problems.append(f"comparison: {first!r} is not dearer than {second!r}")
    return problems


# -- faithfulness -------------------------------------------------------------------

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
    a run they hold is theirs to repeat. The engine must call this; ``check`` does not
    know the prompt.
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


__all__ = [
    "Claim",
    "GroundingResult",
    "catalog_vocabulary",
    "check",
    "normalise",
    "novel_share",
    "numbers_in",
    "prompt_echoes",
]
