"""One shopper's conversation: the turns, the products shown, the constraints in force.

A conversation is a plain object owned by one session and passed to the turn engine;
nothing is shared between conversations, so one shopper's products or words never
reach another's answers. It round-trips through JSON for ``--history`` files.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.prices import PriceRange
from index.query import Constraints

MAX_TURNS = 40


@dataclass
class Turn:
    role: str  # "user" | "assistant"
    text: str
    products: list[str] = field(default_factory=list)
    intent: str = ""


@dataclass
class Conversation:
    """What the next turn may refer to: ``shown`` in order, ``focus`` last talked about."""

    turns: list[Turn] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)
    constraints: Constraints = field(default_factory=Constraints)
    lang: str = "en"

    def add(self, turn: Turn) -> None:
        self.turns.append(turn)
        del self.turns[:-MAX_TURNS]

    def to_dict(self) -> dict[str, Any]:
        price = self.constraints.price
        return {
            "turns": [asdict(t) for t in self.turns],
            "shown": self.shown,
            "focus": self.focus,
            "constraints": {
                **{k: list(v) for k, v in _fields(self.constraints).items()},
                "price": None if price is None else [price.low, price.high],
            },
            "lang": self.lang,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        raw = dict(data.get("constraints") or {})
        price = raw.pop("price", None)
        constraints = Constraints(
            price=PriceRange(price[0], price[1], (0, 0), "") if price else None,
            **{k: tuple(v) for k, v in raw.items() if k in _fields(Constraints())},
        )
        return cls(
            turns=[Turn(**t) for t in data.get("turns", [])],
            shown=list(data.get("shown", [])),
            focus=list(data.get("focus", [])),
            constraints=constraints,
            lang=str(data.get("lang", "en")),
        )

    def save(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), "utf-8")
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> Conversation:
        if not path.exists():
            return cls()
        return cls.from_dict(json.loads(path.read_text("utf-8")))


def _fields(constraints: Constraints) -> dict[str, tuple[str, ...]]:
    return {
        name: getattr(constraints, name)
        for name in ("types", "scopes", "genders", "colors", "sizes", "terms")
    }
