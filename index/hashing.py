"""sha256 of files, remembered per file version so that each is read once per process.

Model files (hundreds of MB) are checked on every load and photos are hashed on
every build; keying the cache on (path, size, mtime) keeps a changed file from
being served an old hash.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file's bytes."""
    real = path.resolve()
    stat = real.stat()
    return _sha256(str(real), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
