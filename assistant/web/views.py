"""HTML for the web page: product cards, the comparison table, product details.

Everything here is computed from catalog records and the facts code decided, never
from the LLM's text. Every catalog string goes through ``html.escape``: a product
name or description that holds markup is shown as text, so a catalog row cannot
run script in a shopper's browser. Photos are inlined thumbnails (see
``thumbnails.py``) with the product name and colour as alt text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

from index.records import Image, Product

from .. import facts as F
from ..templates import money
from .thumbnails import Thumbnails

ImageOf = Callable[[Product], Image | None]

LABELS = {
    "en": {
        "special": "special price",
        "was": "was",
        "reviews": "reviews",
        "no_reviews": "no reviews yet",
        "colors": "Colours",
        "sizes": "Sizes",
        "price": "Price",
        "rating": "Rating",
        "materials": "Materials",
        "features": "Features",
        "style": "Style",
        "activity": "Activity",
        "praise": "Reviewers praise",
        "complaints": "Complaints",
        "no_photo": "no photo",
        "cheapest": "cheapest",
        "better_rated": "better rated",
        "similar": "More like this",
        "compare": "Compare",
        "details": "Details",
        "alternatives": "Alternatives: we have nothing that matches what you asked for",
    },
    "zh": {
        "special": "特价",
        "was": "原价",
        "reviews": "条评价",
        "no_reviews": "暂无评价",
        "colors": "颜色",
        "sizes": "尺码",
        "price": "价格",
        "rating": "评分",
        "materials": "材质",
        "features": "特点",
        "style": "款式",
        "activity": "适用活动",
        "praise": "好评提到",
        "complaints": "不满提到",
        "no_photo": "无图片",
        "cheapest": "最便宜",
        "better_rated": "评分更高",
        "similar": "类似商品",
        "compare": "比较",
        "details": "详情",
        "alternatives": "替代品：没有完全符合您要求的商品",
    },
}
# Comparison rows by the label facts.compare gives them.
ROWS = {
    "en": {"reviews": "Reviews"},
    "zh": {"reviews": "评价数"},
}
MAX_DESCRIPTION = 1200


def _label(key: str, lang: str) -> str:
    return LABELS.get(lang, LABELS["en"]).get(key, key)


def _row(label: str, lang: str) -> str:
    return ROWS.get(lang, ROWS["en"]).get(label) or _label(label, lang)


def photo(image: Image | None, product: Product, thumbs: Thumbnails, lang: str) -> str:
    """An <img> with alt text naming the product and colour, or a labelled placeholder."""
    uri = thumbs.uri(image.path) if image else ""
    if not uri:
        return f'<div class="no-photo" role="img" aria-label="{escape(product.name)}">'\
            f"{escape(_label('no_photo', lang))}</div>"  # fmt: skip
    alt = product.name + (f" – {image.color}" if image and image.color else "")
    return f'<img src="{uri}" alt="{escape(alt)}" loading="lazy">'


def price_html(product: Product, lang: str) -> str:
    """The price paid; a special price is marked as such, with the regular one struck out."""
    now = escape(money(product.effective_price, product.currency, lang))
    if product.effective_price < product.price:
        was = escape(money(product.price, product.currency, lang))
        return (
            f'<span class="price special" title="{_label("special", lang)}">{now}</span> '
            f'<span class="tag">{_label("special", lang)}</span> '
            f'<s aria-label="{_label("was", lang)} {was}">{was}</s>'
        )
    return f'<span class="price">{now}</span>'


def rating_html(product: Product, lang: str) -> str:
    stars = F.rating(product)
    if stars is None:
        return f'<span class="rating none">{_label("no_reviews", lang)}</span>'
    count = len(product.reviews)
    word = _label("reviews", lang)
    return (
        f'<span class="rating" aria-label="{stars} / 5">★ {stars}</span> '
        f'<span class="count">({count}{"" if lang == "zh" else " "}{word})</span>'
    )


def _values(label: str, values: Sequence[str], lang: str, limit: int = 8) -> str:
    if not values:
        return ""
    shown = ", ".join(escape(v) for v in values[:limit])
    more = f" +{len(values) - limit}" if len(values) > limit else ""
    return f'<div class="facet"><b>{escape(_label(label, lang))}:</b> {shown}{more}</div>'


def card(product: Product, image: Image | None, thumbs: Thumbnails, lang: str) -> str:
    """One product card: photo, name, price, rating and review count, colours, sizes."""
    return (
        f'<article class="card" data-product-id="{escape(product.id)}">'
        f"{photo(image, product, thumbs, lang)}"
        f'<h3 class="name">{escape(product.name)}</h3>'
        f'<div class="prices">{price_html(product, lang)}</div>'
        f'<div class="stars">{rating_html(product, lang)}</div>'
        f"{_values('colors', product.colors, lang)}{_values('sizes', product.sizes, lang)}"
        f"{_actions(product, lang)}</article>"
    )


CARD_ACTIONS = ("similar", "compare", "details")


def _actions(product: Product, lang: str) -> str:
    """Real <button>s (keyboard and screen readers work); the page's script runs them."""
    pid = escape(product.id)
    return (
        '<div class="actions">'
        + "".join(
            f'<button type="button" class="act-{action}" data-action="{action}" '
            f'data-product="{pid}" aria-label="{escape(_label(action, lang))}: '
            f'{escape(product.name)}">{escape(_label(action, lang))}</button>'
            for action in CARD_ACTIONS
        )
        + "</div>"
    )


def grid(cards: Sequence[str], gallery: bool = False, *, alternatives: str | None = None) -> str:
    """Cards side by side; a photo search shows them as a gallery of larger photos.

    ``alternatives`` (the page's language) heads cards that are not what was asked for,
    so they are never taken for matches.
    """
    if not cards:
        return ""
    head = (
        f'<p class="alternatives-note">{escape(_label("alternatives", alternatives))}</p>'
        if alternatives
        else ""
    )
    kind = " gallery" if gallery else ""
    kind += " alternatives" if alternatives else ""
    return f'{head}<div class="cards-grid{kind}">{"".join(cards)}</div>'


def _cell(label: str, value: F.Cell, currency: str, lang: str) -> str:
    if value is None or value == ():
        return "–"
    if label == "price" and isinstance(value, Decimal):
        return escape(money(value, currency, lang))
    if label == "rating":
        return f"★ {value}"
    if isinstance(value, tuple):
        return ", ".join(escape(v) for v in value)
    return escape(str(value))


def comparison_table(
    table: F.Comparison,
    products: Sequence[Product],
    image_of: ImageOf,
    thumbs: Thumbnails,
    lang: str,
) -> str:
    """The comparison as a table with a photo per column; rows are the facts code computed."""
    by_id = {p.id: p for p in products}
    columns = [by_id[pid] for pid in table.product_ids if pid in by_id]
    head = "".join(
        f'<th scope="col">{photo(image_of(p), p, thumbs, lang)}<div>{escape(p.name)}</div>'
        f"{_badges(table, p.id, lang)}</th>"
        for p in columns
    )
    body = "".join(
        f'<tr><th scope="row">{escape(_row(label, lang))}</th>'
        + "".join(f"<td>{_cell(label, v, table.currency, lang)}</td>" for v in cells)
        + "</tr>"
        for label, cells in table.rows
    )
    caption = " vs ".join(escape(p.name) for p in columns)
    return (
        f'<table class="comparison"><caption>{caption}</caption>'
        f"<thead><tr><td></td>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _badges(table: F.Comparison, product_id: str, lang: str) -> str:
    badges = []
    if product_id == table.cheapest_id and table.difference:
        badges.append(_label("cheapest", lang))
    if product_id == table.better_rated_id:
        badges.append(_label("better_rated", lang))
    return "".join(f'<span class="tag">{escape(b)}</span>' for b in badges)


def details(product: Product, image: Image | None, thumbs: Thumbnails, lang: str) -> str:
    """A product's description, attributes and review summary, for the details panel."""
    about = F.details(product)
    reviews = F.review_facts(product)
    description = product.description.strip()
    if len(description) > MAX_DESCRIPTION:
        description = description[:MAX_DESCRIPTION].rsplit(" ", 1)[0] + " …"
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in description.splitlines() if line)
    facets = "".join(
        _values(label, values, lang, limit=12)
        for label, values in (
            ("colors", product.colors),
            ("sizes", product.sizes),
            ("materials", about.materials),
            ("features", about.features),
            ("style", about.style),
            ("activity", about.activity),
        )
    )
    themes = "".join(
        _values(label, [f"{theme} ({n})" for theme, n in items], lang)
        for label, items in (("praise", reviews.praise), ("complaints", reviews.complaints))
    )
    return (
        f'<section class="details" aria-label="{escape(product.name)}">'
        f"{photo(image, product, thumbs, lang)}<div>"
        f"<h3>{escape(product.name)}</h3><div>{price_html(product, lang)}</div>"
        f"<div>{rating_html(product, lang)}</div>{facets}{themes}{paragraphs}</div></section>"
    )
