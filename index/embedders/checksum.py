"""Verify model files against the sha256 recorded in the code before loading them.

A model file that was swapped or damaged must not be loaded silently: its vectors
would not match the index, and a tampered file is a security problem.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ModelUnavailable
from ..hashing import file_sha256


def verified_file(path: Path, expected_sha256: str, package: str) -> Path:
    """``path`` if it exists and has the expected sha256, else ModelUnavailable."""
    if not path.is_file():
        raise ModelUnavailable(
            f"model file missing: {path}", fix=f"reinstall the {package} package"
        )
    actual = file_sha256(path)
    if actual != expected_sha256:
        raise ModelUnavailable(
            f"model file {path.name} has sha256 {actual[:12]}…, expected {expected_sha256[:12]}…",
            fix=f"reinstall the {package} package",
        )
    return path
