"""One product's price facts: regular and special price, discount, range, variants."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from index.money import money
from index.records import Product

from .base import Plain


@dataclass(frozen=True)
class PriceFacts(Plain):
    """Everything about one product's price; ``discount`` only when on special."""

    product_id: str
    name: str
    currency: str
    price: Decimal
    effective_price: Decimal
    special_price: Decimal | None = None
    discount: Decimal | None = None
    discount_percent: int | None = None
    price_range: tuple[Decimal, Decimal] | None = None
    msrp: Decimal | None = None
    variant_prices: tuple[tuple[str, Decimal], ...] = ()


def price_facts(product: Product) -> PriceFacts:
    """The price facts of ``product`` (24-WB05: price 32, special 24, discount 8, 25%)."""
    price = money(product.price)
    effective = money(product.effective_price)
    special = effective if effective < price else None
    discount = price - effective if special is not None else None
    percent = None
    if discount is not None and price:
        percent = int((discount / price * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    variant_prices: tuple[tuple[str, Decimal], ...] = ()
    priced = [v for v in product.variants if v.price is not None]
    if len({v.price for v in priced}) > 1:
        variant_prices = tuple(
            (
                v.name or " ".join(x for x in (v.color, v.size) if x) or v.sku,
                money(v.price or 0),
            )
            for v in priced
        )
    return PriceFacts(
        product.id,
        product.name,
        product.currency,
        price,
        effective,
        special_price=special,
        discount=discount,
        discount_percent=percent,
        price_range=(
            (money(product.price_range[0]), money(product.price_range[1]))
            if product.price_range
            else None
        ),
        msrp=money(product.msrp) if product.msrp is not None else None,
        variant_prices=variant_prices,
    )
