"""User-facing errors of the retrieval engine.

Every error a shopper or a shop owner can meet carries a message meant to be read
by them, and, where there is one, the command that fixes it. Command-line entry
points print ``str(error)`` as one line and exit non-zero; the web UI shows it.

    ShopError
    ├── CatalogError        the catalog cannot be read at all
    ├── ModelUnavailable    an embedder's weights or package cannot be had
    ├── IndexProblem        the index is missing, stale, corrupt or built by other models
    ├── BadSetting          a flag or SHOP_* variable with a refused value
    └── BadInput            a query photo or message that cannot be used
"""

from __future__ import annotations


class ShopError(Exception):
    """Base of all errors whose message is meant for the user."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.fix})" if self.fix else self.message


class CatalogError(ShopError):
    """The catalog file or folder cannot be used at all (not: one bad row)."""


class ModelUnavailable(ShopError):
    """An embedder cannot be loaded: missing package, weights, or a bad checksum."""


class IndexProblem(ShopError):
    """The index on disk cannot serve this catalog with these models."""


class BadSetting(ShopError):
    """A flag or ``SHOP_*`` variable with a value the settings refuse."""


class BadInput(ShopError):
    """A query (photo or text) that cannot be used as given."""
