"""Templated answers in English and Chinese, built only from computed facts.

These are the answers the shopper gets when no LLM is configured, when the LLM is
slow, or when its text fails the grounding check; they are also the drafts the LLM
rewrites. Every number in them is formatted from a fact, never computed here, and
catalog values (names, colours, sizes, materials) are quoted as the catalog spells
them in both languages, so that the grounding check can match them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from index.currency import SYMBOLS, chinese_word
from index.money import money as in_cents
from index.prices import PriceRange
from index.query import Constraints
from index.records import Product
from index.text import is_cjk

from .facts import Availability, Comparison, PriceFacts, Recommendation, ReviewFacts

THEMES_ZH = {
    "fit": "合身程度",
    "comfort": "舒适度",
    "quality": "质量",
    "value": "性价比",
    "color": "颜色",
    "warmth": "保暖透气",
    "material": "材质",
}
REASONS = {
    "crosssell": ("goes well with it", "适合搭配"),
    "related": ("related", "相关商品"),
    "upsell": ("a step up", "升级款"),
    "similar": ("similar", "类似款"),
    "cheaper": ("cheaper", "更便宜"),
    "better_rated": ("better rated", "评分更高"),
}


def money(amount: float | Decimal, currency: str, lang: str) -> str:
    """$34 / $32.50 in English, 34 美元 in Chinese (a dollar price is never 元)."""
    # In cents as the facts hold it: $1.125 is quoted as the fact says, $1.13.
    value = in_cents(amount)
    text = f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
    if lang == "zh":
        return f"{text} {chinese_word(currency)}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _join(items: Sequence[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def price_text(product: Product, lang: str) -> str:
    """The price a shopper pays, with the regular price when on special."""
    now = money(product.effective_price, product.currency, lang)
    if product.effective_price < product.price:
        was = money(product.price, product.currency, lang)
        return f"{now}（原价 {was}）" if lang == "zh" else f"{now} (was {was})"
    return now


def product_line(product: Product, lang: str) -> str:
    return f"{product.name} – {price_text(product, lang)}"


def _lines(products: Sequence[Product], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(product_line(p, lang) for p in products)


def found(products: Sequence[Product], lang: str) -> str:
    """Search results: the first few with prices."""
    if not products:
        return fixed("nothing_found", lang)
    lines = _lines(products[:3], lang)
    if lang == "zh":
        return f"为您找到这些商品：{lines}。"
    return f"Here is what we have: {lines}."


RANK_HEADS = {
    "cheapest": ("The cheapest is the {name} at {price}.", "最便宜的是{name}，{price}。"),
    "dearest": ("The most expensive is the {name} at {price}.", "最贵的是{name}，{price}。"),
    "best_rated": (
        "The best rated is the {name} ({rating} out of 5 from {count} reviews), {price}.",
        "评分最高的是{name}（{rating} 分，满分 5 分，共 {count} 条评价），{price}。",
    ),
}


def ranked(rank: str, products: Sequence[Product], ratings: Sequence[object], lang: str) -> str:
    """The first by ``rank`` with its price (and rating), then the next two."""
    first = products[0]
    head = RANK_HEADS[rank][1 if lang == "zh" else 0].format(
        name=first.name,
        price=price_text(first, lang),
        rating=ratings[0],
        count=len(first.reviews),
    )
    rest = _lines(products[1:3], lang)
    if not rest:
        return head
    return head + (f"其次：{rest}。" if lang == "zh" else f" Next: {rest}.")


def chinese_words(lexicon: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, str]:
    """Concept -> its first Chinese form in the lexicon ("jacket" -> "夹克", "red" -> "红色")."""
    words: dict[str, str] = {}
    for kind in ("type", "color"):
        for concept, forms in lexicon.get(kind, {}).items():
            chinese = [f for f in forms if is_cjk(f)]
            if chinese:
                words[concept] = chinese[0]
    return words


def wanted(constraints: Constraints, currency: str, lang: str, chinese: Mapping[str, str]) -> str:
    """What the shopper asked for: "red jackets under $13" / "13 美元以下的红色夹克"."""
    kinds = constraints.types or constraints.scopes
    price = _price_phrase(constraints.price, currency, lang)
    if lang == "zh":
        thing = "".join(chinese.get(c, c) for c in constraints.colors)
        thing += "、".join(chinese.get(k, k) for k in kinds) or "商品"
        return f"{price}的{thing}" if price else thing
    things = _join([_plural(k) for k in kinds], lang)
    words = [*constraints.colors, things or ("products" if constraints.colors else "anything")]
    return " ".join([*words, price]).strip()


def _plural(kind: str) -> str:
    """ "jacket" -> "jackets", "led nightstand" -> "led nightstands", "box" -> "boxes"."""
    if kind.endswith("s"):
        return kind
    if kind.endswith(("x", "ch", "sh", "z")):
        return kind + "es"
    return kind + "s"


def _price_phrase(price: PriceRange | None, currency: str, lang: str) -> str:
    if price is None:
        return ""
    low = money(price.low, currency, lang) if price.low is not None else None
    high = money(price.high, currency, lang) if price.high is not None else None
    if lang == "zh":
        if low and high:
            return f"{low.split()[0]} 至 {high}"
        return f"{high}以下" if high else f"{low}以上"
    if low and high:
        return f"between {low} and {high}"
    return f"under {high}" if high else f"over {low}"


def not_carried(what: str, alternatives: Sequence[Product], lang: str) -> str:
    """Nothing meets a hard constraint: say so, then offer the nearest, labelled as such."""
    nearest = _lines(alternatives[:3], lang)
    if lang == "zh":
        head = f"抱歉，我们没有{what}。"
        return head + (f"最接近的替代品：{nearest}。" if nearest else "")
    head = f"Sorry, we don't carry {what}."
    return head + (f" The nearest alternatives: {nearest}." if nearest else "")


def comparison(table: Comparison, lang: str, *, rating_first: bool = False) -> str:
    """Which is cheaper and by how much, and which is better rated (first when asked)."""
    names = dict(zip(table.product_ids, table.names, strict=True))
    prices = dict(zip(table.product_ids, table.row("price") or (), strict=True))
    cheap, dear = table.cheapest_id, table.dearest_id

    def priced(pid: str) -> str:
        amount = prices[pid]
        shown = money(amount, table.currency, lang) if isinstance(amount, Decimal) else "?"
        return f"{names[pid]}（{shown}）" if lang == "zh" else f"the {names[pid]} ({shown})"

    gap = money(table.difference, table.currency, lang)
    if not table.difference:
        head = (
            f"{'、'.join(priced(p) for p in table.product_ids)}价格相同。"
            if lang == "zh"
            else _capital(f"{_join([priced(p) for p in table.product_ids], lang)} cost the same.")
        )
    elif lang == "zh":
        head = f"{priced(cheap)}比{priced(dear)}便宜 {gap}。"
    else:
        head = _capital(f"{priced(cheap)} is cheaper than {priced(dear)}")
        head += f" by {gap}."
    ratings = _ratings(table, names, lang)
    if rating_first and ratings:
        return ratings.strip() + (" " if lang == "en" else "") + head
    return head + ratings


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ratings(table: Comparison, names: dict[str, str], lang: str) -> str:
    ratings = dict(zip(table.product_ids, table.row("rating") or (), strict=True))
    if table.better_rated_id is None:
        rated = [pid for pid, value in ratings.items() if value is not None]
        if len(rated) == len(ratings):
            return " 两者评分相同。" if lang == "zh" else " They are rated the same."
        return ""
    best = table.better_rated_id
    value = ratings[best]
    if lang == "zh":
        return f" {names[best]}评分更高（{value} 分，满分 5 分）。"
    return f" The {names[best]} is better rated ({value} out of 5)."


_ABOUT = {
    "en": {
        "head": "The {name} costs {now}",
        "special": " (was {was}, {percent}% off)",
        "range": "Prices range from {low} to {high}.",
        "colors": "Colours: {}.",
        "sizes": "Sizes: {}.",
        "materials": "Material: {}.",
        "end": ".",
        "gap": " ",
    },
    "zh": {
        "head": "{name}售价 {now}",
        "special": "（原价 {was}，省 {percent}%）",
        "range": "价格区间 {low} 至 {high}。",
        "colors": "颜色：{}。",
        "sizes": "尺码：{}。",
        "materials": "材质：{}。",
        "end": "。",
        "gap": "",
    },
}


def about(facts: PriceFacts, stock: Availability, materials: Sequence[str], lang: str) -> str:
    """Price (special and regular), colours, sizes and materials of one product."""
    words = _ABOUT[lang]
    head = words["head"].format(
        name=facts.name, now=money(facts.effective_price, facts.currency, lang)
    )
    if facts.special_price:
        was = money(facts.price, facts.currency, lang)
        head += words["special"].format(was=was, percent=facts.discount_percent)
    parts = [head + words["end"]]
    if facts.price_range:
        low, high = (money(x, facts.currency, lang) for x in facts.price_range)
        parts.append(words["range"].format(low=low, high=high))
    for key, values in (("colors", stock.colors), ("sizes", stock.sizes), ("materials", materials)):
        if values:
            parts.append(words[key].format(_join(list(values), lang)))
    return words["gap"].join(parts)


def stock(name: str, stock: Availability, asked: Sequence[tuple[str, bool]], lang: str) -> str:
    """Whether each asked colour/size is offered, then what is; ``asked`` is (value, offered)."""
    colour_list = _join(stock.colors, lang) if stock.colors else None
    size_list = _join(stock.sizes, lang) if stock.sizes else None
    lines: list[str] = []
    for value, present in asked:
        if lang == "zh":
            lines.append(f"{name}{'有' if present else '没有'} {value}。")
        else:
            lines.append(f"{'Yes' if present else 'No'}, the {name} "
                         f"{'comes' if present else 'does not come'} in {value}.")  # fmt: skip
    if lang == "zh":
        subject = "" if asked else name
        lines.append(
            f"{subject}可选颜色：{colour_list}。" if colour_list else f"{name}没有颜色选项。"
        )
        if size_list:
            lines.append(f"可选尺码：{size_list}。")
        return "".join(lines)
    subject = "" if asked else f"The {name} comes in these "
    if colour_list:
        lines.append(f"{subject}{'colours' if subject else 'Colours'}: {colour_list}.")
    else:
        lines.append(f"The {name} has no colour options.")
    if size_list:
        lines.append(f"Sizes: {size_list}.")
    return " ".join(lines)


def reviews(name: str, facts: ReviewFacts, lang: str) -> str:
    """Average, count, and the themes reviewers praise and complain about, with counts."""
    if not facts.count:
        return f"{name}还没有评价。" if lang == "zh" else f"The {name} has no reviews yet."

    def themes(items: Sequence[tuple[str, int]]) -> str:
        if lang == "zh":
            return "、".join(f"{THEMES_ZH.get(t, t)}（{n} 条）" for t, n in items[:3])
        return ", ".join(f"{t} ({n})" for t, n in items[:3])

    if lang == "zh":
        text = f"{name}平均评分 {facts.average} 分（满分 5 分），共 {facts.count} 条评价。"
        labels = ("好评提到：{}。", "不满提到：{}。")
    else:
        noun = "review" if facts.count == 1 else "reviews"
        text = f"The {name} is rated {facts.average} out of 5 from {facts.count} {noun}."
        labels = (" Reviewers praise: {}.", " Complaints: {}.")
    for label, items in zip(labels, (facts.praise, facts.complaints), strict=True):
        if items:
            text += label.format(themes(items))
    return text


def suggestions(name: str, picks: Sequence[Recommendation], lang: str) -> str:
    """Recommended products, each with its reason (and saving or rating where it has one)."""
    if not picks:
        return (
            f"目前没有可以推荐的与{name}相关的商品。"
            if lang == "zh"
            else (f"I have nothing to suggest alongside the {name} right now.")
        )
    lines = []
    for pick in picks[:4]:
        price = money(pick.price, pick.currency, lang)
        reason = REASONS.get(pick.reason, (pick.reason, pick.reason))[1 if lang == "zh" else 0]
        if pick.saving is not None:
            saved = money(pick.saving, pick.currency, lang)
            reason = f"便宜 {saved}" if lang == "zh" else f"{saved} less"
        elif pick.reason == "better_rated" and pick.rating is not None:
            reason = f"评分 {pick.rating}" if lang == "zh" else f"rated {pick.rating}"
        lines.append(f"{pick.name} – {price}（{reason}）" if lang == "zh"
                     else f"{pick.name} – {price} ({reason})")  # fmt: skip
    if lang == "zh":
        return f"关于{name}，推荐：{'；'.join(lines)}。"
    return f"For the {name}, you could look at: {'; '.join(lines)}."


def no_cheaper(name: str, lang: str) -> str:
    if lang == "zh":
        return f"{name}已经是同类商品中最便宜的了。"
    return f"The {name} is already the cheapest of its kind in our catalog."


# Replies that state no catalog fact: (English, Chinese) by the situation they answer.
FIXED = {
    "nothing_found": (
        "Sorry, I found nothing in our catalog for that. Try other words, "
        "or tell me the type, colour and budget.",
        "抱歉，目录里没有找到合适的商品。可以换个说法，或告诉我类型、颜色和预算。",
    ),
    "unresolved": (
        "Which product do you mean? Tell me its name, or let me search first.",
        "您指的是哪一件？请说出商品名称，或先让我帮您搜索。",
    ),
    "need_two": (
        'Which two products should I compare? Name them, or say "the first and the second".',
        "请告诉我要比较的两件商品（名称，或“第一个和第二个”）。",
    ),
    "help": (
        "I can find products in our catalog (type, colour, size, budget), find items like a "
        "photo, compare two products, sum up reviews, and suggest matching or cheaper items.",
        "我可以帮您在本店目录中找商品（类型、颜色、尺码、预算）、用照片找相似商品、"
        "比较两件商品、总结评价，以及推荐搭配或更便宜的替代品。",
    ),
    "chitchat": (
        "Hello! What are you looking for? Tell me a type, colour and budget, or show me a photo.",
        "您好！想找什么商品？可以告诉我类型、颜色和预算，或者上传一张照片。",
    ),
    "out_of_scope": (
        "Sorry, I can only help with products from our shop's catalog.",
        "抱歉，我只能回答与本店商品有关的问题。",
    ),
}


def fixed(situation: str, lang: str) -> str:
    """The fixed reply for ``situation`` (a key of ``FIXED``) in the shopper's language."""
    english, chinese = FIXED[situation]
    return chinese if lang == "zh" else english


def bad_input(problem: str, lang: str) -> str:
    """A photo or message that cannot be used: what is wrong, and that the chat goes on."""
    if lang == "zh":
        return f"抱歉，无法使用您发送的内容：{problem}。请换一张照片或换个说法。"
    return f"Sorry, I could not use that: {problem}. Try another photo or other words."
