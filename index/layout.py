"""The index on disk: generations, an atomic ``CURRENT`` pointer and the manifest.

An index folder holds one or more generation folders and a ``CURRENT`` file naming
the live one. A build writes a new generation completely, manifest last, then
replaces ``CURRENT`` with ``os.replace`` (atomic on POSIX). A build killed at any
point therefore leaves the previous generation live and intact; its half-written
folder is swept by the next build.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import IndexProblem

FORMAT = 1
POINTER = "CURRENT"
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Generation:
    folder: Path
    manifest: dict[str, Any]


def current(index_dir: Path) -> Generation | None:
    """The live generation, None if there is no index yet; IndexProblem if damaged.

    Every way the pointer or the manifest can be damaged (unreadable bytes, a folder
    that is gone, JSON that is not an object) is an IndexProblem naming the rebuild,
    never a raw OSError or ValueError: callers show it to a shop owner as one line.
    """
    pointer = index_dir / POINTER
    if not pointer.exists():
        return None
    fix = rebuild_fix(index_dir)
    try:
        name = pointer.read_text(encoding="utf-8").strip()
        folder = index_dir / name
        whole = bool(name) and "/" not in name and (folder / MANIFEST).is_file()
    except (OSError, ValueError) as error:  # binary garbage, a NUL byte, not a file
        raise IndexProblem(
            f"the index in {index_dir} is damaged ({POINTER} is unreadable: {error})", fix=fix
        ) from error
    if not whole:
        raise IndexProblem(
            f"the index in {index_dir} is damaged (generation {name!r} missing)", fix=fix
        )
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexProblem(
            f"the index manifest in {folder} is unreadable ({error})", fix=fix
        ) from error
    if not isinstance(manifest, dict):
        raise IndexProblem(f"the index manifest in {folder} is not a JSON object", fix=fix)
    if manifest.get("format") != FORMAT:
        raise IndexProblem(
            f"the index in {index_dir} has format {manifest.get('format')!r}, "
            f"this version reads format {FORMAT}",
            fix=fix,
        )
    return Generation(folder, manifest)


def rebuild_fix(index_dir: Path, catalog: Path | str = "<your catalog>") -> str:
    """The command that replaces a damaged or stale index with a fresh one."""
    return f"python -m index build --catalog {catalog} --index {index_dir}"


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty folder for a build to write into."""
    index_dir.mkdir(parents=True, exist_ok=True)
    folder = index_dir / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    folder.mkdir()
    return folder


def publish(index_dir: Path, folder: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest, make ``folder`` live, and sweep every other generation."""
    manifest = {"format": FORMAT, **manifest}
    _write_atomic(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    for path in folder.iterdir():
        _fsync(path)
    _write_atomic(index_dir / POINTER, folder.name + "\n")
    for other in index_dir.glob("gen-*"):
        if other != folder and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _fsync(path: Path) -> None:
    if path.is_file():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
