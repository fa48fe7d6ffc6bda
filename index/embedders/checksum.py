"""Verify model files against the sha256 recorded in the code before loading them.

A model file that was swapped or damaged must not be loaded silently: its vectors
would not match the index, and a tampered file is a security problem. Hashes are
remembered per (path, size, mtime) so a process hashes each file once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from ..errors import ModelUnavailable


def verified_file(path: Path, expected_sha256: str, package: str) -> Path:
    """``path`` if it exists and has the expected sha256, else ModelUnavailable."""
    if not path.is_file():
        raise ModelUnavailable(
            f"model file missing: {path}", fix=f"reinstall the {package} package"
        )
    stat = path.stat()
    actual = _sha256(str(path), stat.st_size, stat.st_mtime_ns)
    if actual != expected_sha256:
        raise ModelUnavailable(
            f"model file {path.name} has sha256 {actual[:12]}…, expected {expected_sha256[:12]}…",
            fix=f"reinstall the {package} package",
        )
    return path


@lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
