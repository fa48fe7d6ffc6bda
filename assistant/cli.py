"""``python -m assistant ask|chat|eval``: the turn engine from the command line.

``ask`` answers one turn; with ``--history FILE`` it reads and updates a conversation
file so that "the second one" works across calls. ``chat`` is an interactive
terminal chat. Errors meant for the user are one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from index.cli import add_command, add_common_options, configure_logging, settings_from_args
from index.errors import ShopError

from .engine import Assistant
from .evaluation.cli import add_eval_commands
from .settings import AssistantSettings
from .state import Conversation


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    ask = add_command(commands, "ask", "answer one message", _ask, add_assistant_options)
    ask.add_argument("message", nargs="*", help="what the shopper says")
    ask.add_argument("--image", type=Path, help="a photo")
    ask.add_argument("--history", type=Path, help="conversation file to read and update")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    add_command(commands, "chat", "an interactive terminal chat", _chat, add_assistant_options)
    add_eval_commands(commands, add_assistant_options)
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.run(args))
    except ShopError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        return 130


def add_assistant_options(parser: argparse.ArgumentParser) -> None:
    """The index options plus the LLM choice; ``app.py`` shares them."""
    add_common_options(parser)
    parser.add_argument("--llm", help="llama-cpp | openai | none")
    parser.add_argument("--llm-model", help="qwen2.5-0.5b | smollm2-135m | path.gguf | name")
    parser.add_argument("--llm-base-url", help="OpenAI-compatible server URL")


def _ask(args: argparse.Namespace) -> int:
    message = " ".join(args.message).strip()
    if not message and args.image is None:
        print("error: give a message, --image PHOTO, or both", file=sys.stderr)
        return 2
    assistant = Assistant(settings_from_args(args, AssistantSettings))
    conversation = Conversation.load(args.history) if args.history else Conversation()
    result = assistant.ask(message, conversation, photo=args.image)
    if args.history:
        conversation.save(args.history)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.answer)
        for product in result.products:
            print(f"  - {product['name']} ({product['product_id']}): {product['price']:g}")
        print(f"[{result.source}{': ' + result.reason if result.reason else ''}]", file=sys.stderr)
    return 0


def _chat(args: argparse.Namespace) -> int:
    assistant = Assistant(settings_from_args(args, AssistantSettings))
    print(f"Shop assistant ({assistant.status()}). Empty line or Ctrl-D to quit.")
    conversation = Conversation()
    while True:
        try:
            message = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if not message:
            return 0
        result = assistant.ask(message, conversation)
        print(f"shop> {result.answer}")
        for position, product in enumerate(result.products, start=1):
            print(f"      {position}. {product['name']} – {product['price']:g}")
