"""Photo references in an export (URLs, Magento media paths) as catalog image entries.

Nothing is downloaded: a photo URL (or a Magento media path) is used when a file of
that name sits next to the CSV or in its ``images/`` folder, and otherwise becomes
``images/<name>``, which the loader reports as missing. Each entry also gets a view
(main, back, alt) and a colour, guessed from its label or file name where the export
does not say.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

IMAGE_DIR = "images"
NAME_MAX = 255  # bytes in one path component on common file systems


class PhotoRefs:
    """Maps an image reference from the CSV to a file name relative to the catalog folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def file(self, ref: str) -> str:
        """``https://cdn/x/tee.jpg?v=2 -> images/tee.jpg`` (or ``tee.jpg`` where that exists).

        A relative path is returned as given.
        """
        if not ref.casefold().startswith(("http://", "https://", "//", "/", "\\")):
            return ref  # the loader resolves it and refuses paths that leave the folder
        name = PurePosixPath(unquote(urlsplit(ref).path).replace("\\", "/")).name
        if name in ("", ".", ".."):
            return ref
        for candidate in (name, f"{IMAGE_DIR}/{name}"):
            try:
                if (self.folder / candidate).is_file():
                    return candidate
            except OSError:  # a name the file system cannot hold
                break
        return f"{IMAGE_DIR}/{name}"

    def entries(self, refs: Iterable[tuple[str, str, str | None]], colors: list[str]) -> list[dict]:
        """Image dicts from (reference, label, colour); the first, and the first of each
        colour, is the main view; a colour is guessed from the label or file name."""
        merged: dict[str, list[Any]] = {}
        for ref, label, color in refs:
            if not ref or ref.casefold() == "no_selection":
                continue
            file = self.file(ref)
            if any(len(part.encode()) > NAME_MAX for part in PurePosixPath(file).parts):
                # No file system holds such a name, and checking for one raises OSError.
                log.warning("image name longer than %d bytes dropped: %.60s...", NAME_MAX, file)
                continue
            entry = merged.setdefault(file, [label, color])
            entry[1] = entry[1] or color
        images: list[dict] = []
        mains: set[str | None] = set()
        for file, (label, color) in merged.items():
            text = f"{label} {PurePosixPath(file).stem}".casefold()
            words = " " + re.sub(r"[\W_]+", " ", text) + " "  # " mh01 gray main "
            color = color or next((c for c in colors if f" {c.casefold()} " in words), None)
            if " back " in words:
                view = "back"
            elif not images or " main " in words or color not in mains:
                view = "main"
            else:
                view = "alt"
            if view == "main":
                mains.add(color)
            images.append({"file": file, "view": view, "color": color})
        return images
