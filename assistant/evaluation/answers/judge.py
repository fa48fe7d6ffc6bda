"""Judge a question's answers against its expectation: a list of what is wrong, empty if right.

Every answer is checked for the intent, the language, the currency its amounts are
written in, an echoed prompt or a repeated piece, and money that no fact holds
(invented); then for what its kind of question asks (the right products, the amount,
yes or no). The text is read with regular expressions: see the package docstring for
what that costs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from assistant.engine import TurnResult
from assistant.templates import money as say

from .answer_text import fact_numbers, foreign_money, garbled, money, numbers, plain, subject
from .questions import Question
from .shop import Shop, effective_price

INTENT = {
    "compare_price": "compare",
    "price": "ask",
    "reviews": "reviews",
    "availability": "availability",
    "not_carried": "find",
    "cheaper_alternative": "recommend",
    "reference": "ask",
}
_SAME = re.compile(r"\b(cost|are|is) the same\b|same price|价格相同|价格一样|一样贵", re.I)
_CHEAPER_CUE = {"en": re.compile(r"\bcheaper\b|\bless expensive\b", re.I),
                "zh": re.compile(r"比(?!较)|便宜")}  # fmt: skip
_NEGATIVE = {"en": re.compile(r"\b(no|not|unavailable)\b|n't\b", re.I),
             "zh": re.compile(r"没有|不|无")}  # fmt: skip
_NO_REVIEWS = re.compile(r"\bno (customer )?reviews\b|not been reviewed|没有评价|暂无评价", re.I)
_NOT_CARRIED = re.compile(r"\b(don't|do not|doesn't) (carry|have|stock)\b|没有|暂无", re.I)
_NO_CHEAPER = re.compile(r"\bcheapest\b|nothing cheaper|最便宜|没有更便宜", re.I)
_UNRESOLVED = re.compile(r"which (product|one) do you mean|哪一(件|个|款)", re.I)


def judge(shop: Shop, question: Question, results: list[TurnResult]) -> tuple[list[str], list[str]]:
    """(problems, invented amounts) of the question's last answer; each invented one is a problem.

    A problem reads "check: detail", e.g. "amount: $25 not stated", so that the report
    can count failures by check.
    """
    final = results[-1]
    problems = []
    if final.intent != INTENT[question.kind]:
        problems.append(f"intent: {final.intent}")
    if final.lang != question.lang:
        problems.append(f"lang: {final.lang}")
    problems += [f"currency: {m!r}" for m in foreign_money(final.answer, shop.currency)]
    problems += garbled(final.answer, question.turns[-1])
    problems += _JUDGES[question.kind](shop, question, results)
    allowed = fact_numbers(final.facts)
    invented = [
        say(amount, shop.currency, question.lang)
        for amount in sorted(money(final.answer, shop.currency) - allowed)
    ]
    problems += [f"invented: {amount}" for amount in invented]
    return problems, invented


def product_ids(result: TurnResult) -> list[str]:
    """The ids of the products a result shows, in its order."""
    return [p["product_id"] for p in result.products]


def _only(shop: Shop, r: TurnResult, pid: str) -> list[str]:
    got = product_ids(r)
    return [] if got == [pid] else [f"products: {shop.names(got)}"]


def _judge_compare(shop: Shop, q: Question, results: list[TurnResult]) -> list[str]:
    r, e = results[-1], q.expect
    problems = []
    if sorted(product_ids(r)) != sorted(e["ids"]):
        problems.append(f"products: {shop.names(product_ids(r))}")
    if e["cheaper"] is None:
        if not _SAME.search(r.answer):
            problems.append("same price: not said")
        return problems
    if e["difference"] not in money(r.answer, shop.currency):
        problems.append(f"amount: difference {say(e['difference'], shop.currency, q.lang)}")
    cheap, dear = shop.name(e["cheaper"]), shop.name(e["dearer"])
    if plain(cheap) not in plain(r.answer):
        problems.append("product: cheaper one not named")
    elif subject(r.answer, [cheap, dear], _CHEAPER_CUE[q.lang]) == dear:
        problems.append("direction: calls the dearer one cheaper")
    return problems


def _judge_price(shop: Shop, q: Question, results: list[TurnResult]) -> list[str]:
    r, e = results[-1], q.expect
    problems = _only(shop, r, e["id"])
    if e["price"] not in money(r.answer, shop.currency):
        problems.append(f"amount: {say(e['price'], shop.currency, q.lang)} not stated")
    return problems


def _judge_reviews(shop: Shop, q: Question, results: list[TurnResult]) -> list[str]:
    r, e = results[-1], q.expect
    problems = _only(shop, r, e["id"])
    if not e["count"]:
        return problems + ([] if _NO_REVIEWS.search(r.answer) else ["reviews: 'none yet' not said"])
    stated = numbers(r.answer)
    if e["average"] not in stated:
        problems.append(f"rating: {e['average']:.1f} not stated")
    if e["count"] not in stated:
        problems.append(f"count: {e['count']} not stated")
    return problems


def _judge_availability(shop: Shop, q: Question, results: list[TurnResult]) -> list[str]:
    r, e = results[-1], q.expect
    problems = _only(shop, r, e["id"])
    words = [w for w in shop.concept("color", e["colour"]) if w]
    sentences = [
        s
        for s in re.split(r"[.!?。！？]", plain(r.answer))
        if any(w.casefold() in s for w in words)
    ]
    if not sentences:
        return [*problems, f"colour: {e['colour']} not mentioned"]
    said_yes = not _NEGATIVE[q.lang].search(sentences[0])
    if said_yes != e["present"]:
        problems.append(f"yes/no: said {'yes' if said_yes else 'no'}")
    return problems


def _judge_not_carried(shop: Shop, q: Question, results: list[TurnResult]) -> list[str]:
    r, e = results[-1], q.expect
    problems = [] if r.alternatives else ["alternatives: False"]
    if not _NOT_CARRIED.search(r.answer):
        problems.append("not carried: not said")
    if Decimal(e["ceiling"]) not in money(r.answer, shop.currency):
        problems.append(f"amount: ceiling {say(e['ceiling'], shop.currency, q.lang)} not stated")
    return problems


def _judge_cheaper(shop: Shop, q: Question, results: list[TurnResult]) -> list[str]:
    r, e = results[-1], q.expect
    shown = [p for p in product_ids(r) if p != e["id"]]
    if not e["cheaper"]:
        problems = [f"products: {shop.names(shown)}"] if shown else []
        return problems + ([] if _NO_CHEAPER.search(r.answer) else ["cheapest: not said"])
    if not shown:
        return ["products: none suggested"]
    problems = []
    wrong = [p for p in shown if p not in e["cheaper"]]
    if wrong:
        problems.append(f"products: not cheaper or other category {shop.names(wrong)}")
    first = shop.rows.get(shown[0])
    if first is None or plain(first["name"]) not in plain(r.answer):
        problems.append("product: first suggestion not named")
    elif effective_price(first) not in money(r.answer, shop.currency):
        problems.append("amount: first suggestion's price not stated")
    return problems


def _judge_reference(shop: Shop, q: Question, results: list[TurnResult]) -> list[str]:
    first, r = results[0], results[-1]
    position = q.expect["position"]
    listed = product_ids(first)
    if len(listed) < position:
        return [] if _UNRESOLVED.search(r.answer) else [f"unresolved: {len(listed)} shown"]
    pid = listed[position - 1]
    problems = _only(shop, r, pid)
    if pid in shop.rows and effective_price(shop.rows[pid]) not in money(r.answer, shop.currency):
        problems.append("amount: price not stated")
    return problems


_JUDGES: dict[str, Callable[[Shop, Question, list[TurnResult]], list[str]]] = {
    "compare_price": _judge_compare,
    "price": _judge_price,
    "reviews": _judge_reviews,
    "availability": _judge_availability,
    "not_carried": _judge_not_carried,
    "cheaper_alternative": _judge_cheaper,
    "reference": _judge_reference,
}
