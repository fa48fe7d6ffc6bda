"""Small JPEG thumbnails of catalog photos, as ``data:`` URIs for the web page.

Inlining a 240-pixel thumbnail (about 10 KB) keeps the page from needing a file
route into the catalog folder: nothing outside the photos a card shows can be
fetched, whatever a catalog row claims its image path is. Thumbnails are made once
per file and kept in a bounded cache owned by the app (not a module global).
"""

from __future__ import annotations

import base64
import io
import threading
from collections import OrderedDict
from pathlib import Path

from PIL import Image

from index.errors import BadInput
from index.photos import open_photo

SIDE = 240
MAX_ENTRIES = 2000


class Thumbnails:
    """``uri(path)`` → ``"data:image/jpeg;base64,…"``, or "" for a photo that cannot be read."""

    def __init__(self, side: int = SIDE, max_entries: int = MAX_ENTRIES) -> None:
        self.side = side
        self._cache: OrderedDict[Path, str] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def uri(self, path: Path) -> str:
        with self._lock:
            if path in self._cache:
                self._cache.move_to_end(path)
                return self._cache[path]
        uri = self._make(path)
        with self._lock:
            self._cache[path] = uri
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return uri

    def _make(self, path: Path) -> str:
        try:
            image = open_photo(path)
        except BadInput:
            return ""
        image.thumbnail((self.side, self.side), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=82, optimize=True)
        return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
