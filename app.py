"""``python app.py``: the shop assistant's chat page on the demo catalog or your own.

    python app.py [--catalog C] [--index DIR] [--host 127.0.0.1] [--port 7860] [--share]

Every option is also a ``SHOP_*`` environment variable (``SHOP_CATALOG``,
``SHOP_PORT``, ``SHOP_LLM``…). The page listens on 127.0.0.1 unless told otherwise
and is public only with ``--share``. A missing index is built before the page opens.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from assistant.cli import add_assistant_options
from assistant.web.settings import WebSettings
from index.cli import configure_logging, settings_from_args
from index.errors import ShopError

log = logging.getLogger("app")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python app.py", description=__doc__)
    add_assistant_options(parser)
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 7860; 0 picks a free one)")
    parser.add_argument("--share", action="store_const", const=True, help="public gradio link")
    parser.add_argument("--max-upload-mb", type=int, help="largest photo upload (default 20)")
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        settings = settings_from_args(args, WebSettings)
        print(f"loading the catalog {settings.catalog} and its index…", flush=True)
        from assistant.engine import Assistant
        from assistant.web import WebChat
        from assistant.web.layout import build_app, launch

        assistant = Assistant(settings)
    except ShopError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"active: {assistant.status()}", flush=True)  # notices were logged as they came
    app = build_app(WebChat(assistant))
    launch(
        app,
        host=settings.host,
        port=settings.port or _free_port(settings.host),
        share=settings.share,
        max_upload_mb=settings.max_upload_mb,
    )
    return 0


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
