"""Money: exact cents, and the ceilings on what counts as a price.

Every amount an answer may state is a ``Decimal`` in cents, rounded half up the way a
shop writes prices (56.255 -> 56.26), never a float that prints as 24.999999.

Two ceilings, because two different things are being bounded:

- ``MAX_PRICE`` is the most a catalog row may ask for a product. The catalog is
  untrusted input; a larger price is refused so that it cannot break the arithmetic
  done on it later.
- ``MAX_ASKED_PRICE`` is the largest figure in a shopper's message that is read as a
  price ("under $50"). It is far lower: a budget is a human-sized number, and a longer
  figure in a message is not read as one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Above any retail price in any currency, yet far below where floats lose cents (~9e13)
# and where the facts' decimal arithmetic (28 digits) overflows: a price of 1e300 used
# to load and then end every turn that showed it.
MAX_PRICE = 1_000_000_000_000
MAX_ASKED_PRICE = 1e7


def money(amount: float | Decimal) -> Decimal:
    """An amount in cents: 34.0 -> Decimal('34.00'), 56.255 -> Decimal('56.26')."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
