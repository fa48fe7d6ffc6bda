"""Check an LLM's phrasing against the facts it was given, in English and Chinese.

The LLM may only rephrase; so every number, currency, product name, colour and material
in its text must be found in the ``Facts`` (see ``assistant/facts``), and the text must
still be a rewording of the templated answer. Anything else is a problem, and the engine
falls back to the templated answer. Strict by default. By job:

- ``check.py``: the facts check (``check``), names masked first, and price comparisons;
- ``numbers.py``: numbers, "free" and currencies in the text (``numbers_in``);
- ``words.py``: product names, colours and materials (``catalog_vocabulary``);
- ``rewording.py``: everything else that keeps a model's text from replacing the draft
  (language, dropped names and amounts, new words, echoes of the prompt or message);
  ``rewording_problems`` runs every check, the facts check included;
- ``text.py``: the normalisation all of them read through (``normalise``).
"""

from .check import GroundingResult, check
from .numbers import Claim, numbers_in
from .rewording import novel_share, prompt_echoes, rewording_problems
from .text import normalise
from .words import catalog_vocabulary

__all__ = [
    "Claim",
    "GroundingResult",
    "catalog_vocabulary",
    "check",
    "normalise",
    "novel_share",
    "numbers_in",
    "prompt_echoes",
    "rewording_problems",
]
