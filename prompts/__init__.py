"""The prompt templates, shipped as package data so an installed wheel can answer.

The templates are text files beside this module (``system.txt``, ``phrase.txt``) so
that a shop can read and tune them without touching code; ``read`` finds them through
``importlib.resources`` whether the project runs from a checkout or from a wheel.
"""

from __future__ import annotations

from importlib.resources import files


def read_prompt(name: str) -> str:
    """The text of ``prompts/<name>`` (``read_prompt("system.txt")``)."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")
