"""A bounded load test: many shoppers at once through gradio_client, nothing mixed up.

Starts ``python app.py`` on 127.0.0.1 (default LLM unless ``--llm none``), then runs
``--sessions`` concurrent sessions (20) of five turns each, as the page runs them
(``/ask`` then ``/ask_phrase``):

1. a text search for the session's own product type, tagged with the session's
   own marker word;
2. "how much is the second one?" (a reference to the session's own results);
3. a photo of one of the catalog's products (a different product per session);
4. "compare the first and the second";
5. the same search in Chinese.

It stops by itself and prints errors (exceptions, or a turn whose history is not the
session's own), leaks (another session's marker or photo product in an answer), p50
and p95 latency per turn (both steps), and the app's peak resident memory. Run:

    .venv/bin/python -m benchmarks.load_test [--sessions 20] [--llm none]
"""

from __future__ import annotations

import argparse
import html
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from gradio_client import Client, handle_file

from benchmarks.shop_page import AppServer
from index.settings import DEMO_CATALOG, PROJECT_ROOT

TOPICS = (
    ("bags", "包"), ("jackets", "夹克"), ("tees", "T恤"), ("pants", "裤子"),
    ("shorts", "短裤"), ("hoodies", "连帽衫"), ("watches", "手表"), ("tanks", "背心"),
)  # fmt: skip
PHOTOS = (
    "mb01-blue-0.jpg", "mh01-gray_main.jpg", "wj01-blue_main.jpg", "luma-yoga-brick.jpg",
    "mb03-black-0.jpg", "mh02-black_main.jpg", "mh03-blue_main.jpg", "mb04-black-0.jpg",
)  # fmt: skip
CARD_NAME = re.compile(r'<h3 class="name">([^<]+)</h3>')


@dataclass
class Session:
    """One shopper's run: what it asked, what came back, and what was wrong."""

    number: int
    marker: str
    seconds: list[float] = field(default_factory=list)
    cards_seconds: list[float] = field(default_factory=list)  # until the cards (step one)
    errors: list[str] = field(default_factory=list)
    cards: list[list[str]] = field(default_factory=list)  # card names shown, per turn
    said: list[str] = field(default_factory=list)  # this session's messages, as sent
    transcript: str = ""  # every text in the last history the app returned


def run_session(url: str, number: int) -> Session:
    english, chinese = TOPICS[number % len(TOPICS)]
    session = Session(number, f"zq{number:02d}x")
    client = Client(url, verbose=False)
    photo = DEMO_CATALOG / "images" / PHOTOS[number % len(PHOTOS)]
    turns: list[tuple[str, Any]] = [
        (f"{english} {session.marker}", None),
        ("how much is the second one?", None),
        ("", photo),
        ("compare the first and the second", None),
        (f"{chinese} {session.marker}", None),
    ]
    history: list[Any] = []
    for text, path in turns:
        value = {"text": text, "files": [handle_file(str(path))] if path else []}
        started = time.perf_counter()
        try:
            first = client.predict(value, _resend(history), api_name="/ask")
            session.cards_seconds.append(time.perf_counter() - started)
            final = client.predict(_resend(first[0]), api_name="/ask_phrase")
        except Exception as error:  # a load test counts failures, it does not stop on one
            session.errors.append(f"turn {len(session.seconds) + 1}: {error!r}")
            return session
        session.seconds.append(time.perf_counter() - started)
        history = final[0]
        session.said.append(text)
        session.cards.append([html.unescape(n) for n in CARD_NAME.findall(str(first[1]))])
        users = [_text(m) for m in history if m["role"] == "user" and _text(m)]
        if users != [t for t in session.said if t]:
            session.errors.append(f"history is not this session's own: {users}")
    session.transcript = " ".join(_text(m) for m in history)
    answers = [_text(m) for m in history if m["role"] == "assistant"]
    # "the second one" and "the first and the second" refer to this session's own cards
    expected = {1: session.cards[0][1:2], 3: session.cards[2][:2]}
    for turn, names in expected.items():
        missing = [n for n in names if n not in html.unescape(answers[turn])]
        if missing:
            session.errors.append(f"turn {turn + 1} does not name its own {missing}")
    return session


def _resend(history: list[Any]) -> list[Any]:
    """The history as the page sends it back: a photo the client downloaded is a file again."""
    out = []
    for message in history:
        content = message.get("content")
        if isinstance(content, list):
            content = [
                {**part, "file": handle_file(part["file"])}
                if isinstance(part, dict)
                and part.get("type") == "file"
                and isinstance(part.get("file"), str)
                else part
                for part in content
            ]
        out.append({**message, "content": content})
    return out


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    parts = content if isinstance(content, list) else [content]
    return " ".join(p["text"] for p in parts if isinstance(p, dict) and p.get("type") == "text")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def leaks(sessions: list[Session]) -> list[str]:
    """Another session's marker word anywhere in what the app returned to a session."""
    found = []
    for session in sessions:
        for other in sessions:
            if other is not session and other.marker in session.transcript:
                found.append(f"session {session.number} saw {other.marker}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--llm", default=None, help="none for templated answers only")
    args = parser.parse_args(argv)
    extra = ("--llm", args.llm) if args.llm else ()
    log = PROJECT_ROOT / "artifacts" / "load-test-app.log"
    with AppServer("--catalog", str(DEMO_CATALOG), "--offline", *extra, log=log) as server:
        peak = {"rss": 0.0}
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.5):
                peak["rss"] = max(peak["rss"], server.rss_mb()[0])

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.sessions) as pool:
            sessions = list(pool.map(lambda n: run_session(server.url, n), range(args.sessions)))
        wall = time.perf_counter() - started
        done.set()
        _, hwm = server.rss_mb()
    errors = [f"session {s.number}: {e}" for s in sessions for e in s.errors]
    leaked = leaks(sessions)
    seconds = [t for s in sessions for t in s.seconds]
    turns = len(seconds)
    print(f"{args.sessions} sessions x 5 turns in {wall:.1f} s; {turns} turns answered")
    for label, values in (
        ("until the cards (step one)", [t for s in sessions for t in s.cards_seconds]),
        ("until the checked answer (both steps)", seconds),
    ):
        if values:
            p50, p95 = _percentile(values, 50), _percentile(values, 95)
            print(f"{label}: p50 {p50:.2f} s, p95 {p95:.2f} s")
    print(f"app memory: peak RSS {max(peak['rss'], hwm):.0f} MB")
    print(f"errors: {len(errors)}; leaks between sessions: {len(leaked)}")
    for line in errors + leaked:
        print(f"  {line}")
    return 0 if not errors and not leaked and turns == 5 * args.sessions else 1


if __name__ == "__main__":
    raise SystemExit(main())
