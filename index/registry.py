"""Backends by name: one loader for every ``name -> "module:Attr"`` registry.

Embedders, vector stores and LLMs are chosen in settings. Each kind keeps a small
registry of names that point at ``"module:Attr"`` strings, so a heavy package
(torch, open_clip, llama_cpp, pymilvus) is imported only when its backend is chosen.
This module turns a name into the attribute, and turns an unknown name or a missing
package into one user-facing error of the caller's kind.

    >>> resolve({"json": "json:loads"}, "json", what="parser", error=ValueError)
    <function loads ...>
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ShopError

INSTALL_FIX = "run scripts/install.sh"


def resolve(
    registry: Mapping[str, str],
    name: str,
    *,
    what: str,
    error: type[Exception] = ShopError,
    also: Iterable[str] = (),
) -> Any:
    """The attribute registered as ``name``, imported on demand.

    ``what`` names the kind of backend in the messages ("embedder", "LLM backend");
    ``also`` lists names the caller handles itself (such as ``none``) so that the
    message for an unknown name offers every real choice.
    """
    target = registry.get(name)
    if target is None:
        choices = ", ".join([*sorted(registry), *also])
        raise error(f"unknown {what} {name!r}; choose one of: {choices}")
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as missing:
        message = f"{what} {name!r} needs a package that is not installed ({missing.name})"
        if issubclass(error, ShopError):
            raise error(message, fix=INSTALL_FIX) from missing
        raise error(message) from missing
    return getattr(module, attribute)
