"""The numbered rows every catalog reader hands to ``catalog.build_catalog``.

A reader (the JSONL reader in catalog.py, the CSV importers in this package) yields
``(line, row)`` pairs: the dict one JSONL line would hold, or a ``Skipped`` note saying
why a line gave no row. These types live here, below both, so that catalog.py imports
the importers and nothing imports catalog.py back.
"""

from __future__ import annotations

from typing import Any


class Skipped(str):
    """A reader's note that a line was skipped (bad JSON, too long): not a row's data.

    A line holding the JSON string "x" is data, and is refused as "not a JSON object".
    """


Row = tuple[int, dict[str, Any] | str]
