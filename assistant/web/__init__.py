"""The shopper's web page: handlers, HTML views, thumbnails, the Gradio layout.

The page sits on top of the turn engine and is its only user of gradio: ``layout``
is the one module that imports it, so ``assistant.web`` itself (the handlers, which
tests call as plain functions) loads without it.

    settings.py    WebSettings: the assistant's settings plus host, port, uploads
    handlers.py    WebChat and Session: a turn, its phrasing, card actions, filters
    views.py       cards, the comparison table and details as escaped HTML
    thumbnails.py  inlined JPEG thumbnails, so no file route into the catalog
    layout.py      build_app / launch: the Gradio Blocks
"""

from .handlers import Filters, Session, View, WebChat

__all__ = ["Filters", "Session", "View", "WebChat"]
