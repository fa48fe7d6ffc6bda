"""Find the CLIP weights as a file on this machine before anything is built, or refuse.

The idea: a missing model should cost milliseconds, not a hang or a silently random
network, so the weights are resolved to a local file first and the model built after.

1. ``clip_model`` names an open_clip architecture (``ViT-B-32``), an ``hf-hub:org/name``
   repository or a ``local-dir:`` folder; ``clip_pretrained`` names a pretrained tag
   (``laion2b_s34b_b79k``) or a checkpoint file (a ``torch.save``-d state_dict), and is
   ignored for ``hf-hub:``/``local-dir:`` names, as open_clip does. An architecture with
   no weights named is refused: random weights are reachable only by saving them to a
   file and naming that file.
2. Weights already in the Hugging Face cache (or open_clip's URL cache) are used from
   there. Otherwise a download happens only if ``allow_downloads`` is on and a plain TCP
   connect to the hub (or the proxy in between) succeeds within ``download_timeout_s``:
   that gate, ``require_hub``, also guards the hub files the model build may still need.

Every failure is a ``ModelUnavailable`` with one line: what was asked, why it cannot be
had, what to do. Imported through ``index.embedders.clip``, which turns a torch/torchvision
mismatch at import into a ``ModelUnavailable`` too.
"""

from __future__ import annotations

import os
import socket
import threading
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import open_clip
from huggingface_hub import constants as hub_constants
from huggingface_hub import try_to_load_from_cache
from open_clip.constants import HF_CONFIG_NAME, HF_SAFE_WEIGHTS_NAME, HF_WEIGHTS_NAME
from open_clip.factory import _find_checkpoint_in_dir  # the same choice open_clip makes
from open_clip.pretrained import download_pretrained_from_hf

from ..errors import ModelUnavailable

if TYPE_CHECKING:
    from ..settings import Settings

HF_HUB = "hf-hub:"
LOCAL_DIR = "local-dir:"
CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".ckpt", ".npz")
LOCAL_FILE_FIX = "or set SHOP_CLIP_PRETRAINED to a local checkpoint file"
LOCAL_DIR_FIX = f"or set SHOP_CLIP_MODEL={LOCAL_DIR}<a copy of the repository>"


@dataclass(frozen=True, slots=True)
class Source:
    """Weights resolved to a local file, and how to ask open_clip for them."""

    label: str  # what the manifest records: "ViT-B-32/laion2b_s34b_b79k", "hf-hub:org/name"
    model_name: str  # open_clip's first argument
    pretrained: str | None  # checkpoint file for a built-in architecture
    weights: Path  # the file that is loaded; its sha256 goes into the manifest
    bad_file_fix: str  # what to do when that file does not load
    tag: dict[str, Any] = field(default_factory=dict)  # a pretrained tag's preprocessing


def resolve(settings: Settings) -> Source:
    """The weights as a local file, downloaded first only if allowed and reachable."""
    name = settings.clip_model.strip()
    if name.startswith(HF_HUB):
        return _resolve_hub_repo(name.removeprefix(HF_HUB), settings)
    if name.startswith(LOCAL_DIR):
        return _resolve_folder(Path(name.removeprefix(LOCAL_DIR)).expanduser())
    arch = name.replace("/", "-")
    if arch not in open_clip.list_models():
        raise ModelUnavailable(
            f"unknown CLIP architecture {name!r}",
            fix='list them with: python -c "import open_clip; print(open_clip.list_models())"',
        )
    pretrained = settings.clip_pretrained.strip()
    if not pretrained:
        raise ModelUnavailable(
            f"no weights named for CLIP {arch} (random weights are never used)",
            fix=f"set SHOP_CLIP_PRETRAINED to a checkpoint file or a tag ({_tags(arch)})",
        )
    tag = open_clip.get_pretrained_cfg(arch, pretrained)
    if tag:
        weights = _tag_file(f"the CLIP weights {arch}/{pretrained} are", tag, settings)
        fix = f"delete {weights} so that it is downloaded again, {LOCAL_FILE_FIX}"
        return Source(f"{arch}/{pretrained}", arch, str(weights), weights, fix, tag)
    path = Path(pretrained).expanduser()
    if path.is_file():
        fix = f"SHOP_CLIP_PRETRAINED must be a state_dict saved from a {arch} model"
        return Source(f"{arch}/{path.name}", arch, str(path), path, fix)
    if path.exists():
        raise ModelUnavailable(
            f"CLIP checkpoint {path} is not a file",
            fix=f"name the checkpoint file, or use SHOP_CLIP_MODEL={LOCAL_DIR}<folder>",
        )
    if os.sep in pretrained or "/" in pretrained or path.suffix in CHECKPOINT_SUFFIXES:
        raise ModelUnavailable(
            f"CLIP checkpoint file not found: {path}",
            fix="set SHOP_CLIP_PRETRAINED to an existing file or to a pretrained tag",
        )
    raise ModelUnavailable(
        f"{pretrained!r} is neither a pretrained tag of CLIP {arch} nor a file",
        fix=f"set SHOP_CLIP_PRETRAINED to a checkpoint file or a tag ({_tags(arch)})",
    )


def _tags(arch: str, shown: int = 4) -> str:
    """An architecture's pretrained tags, shortened: "openai, laion400m_e31, … 22 in all: …"."""
    tags = open_clip.list_pretrained_tags_by_model(arch)
    if len(tags) <= shown:
        return ", ".join(tags) or f"{arch} has none"
    return f"{', '.join(tags[:shown])}, … {len(tags)} in all: see open_clip.list_pretrained()"


def _tag_file(what: str, tag: dict[str, Any], settings: Settings) -> Path:
    """A pretrained tag's file: from a cache, else downloaded the way open_clip does."""
    hub, url = tag.get("hf_hub", ""), tag.get("url", "")
    if "file" in tag:
        cached: Path | None = Path(tag["file"])
    elif hub:  # open_clip prefers the hub over a URL when it has both
        repo, filename = os.path.split(hub)
        cached = _hub_cached(repo, _hub_names(filename or HF_WEIGHTS_NAME))
    else:
        cached = Path("~/.cache/clip", os.path.basename(url)).expanduser()
    if cached is not None and cached.is_file():
        return cached
    require_hub(
        f"{what} not on this machine",
        hub_constants.ENDPOINT if hub else url,
        settings,
        LOCAL_FILE_FIX,
    )
    try:
        return Path(open_clip.download_pretrained(tag))
    except Exception as error:  # network, HTTP and disk errors of two libraries
        raise ModelUnavailable(
            f"{what} not on this machine and the download failed: {one_line(error)}",
            fix=f"try again later, {LOCAL_FILE_FIX}",
        ) from error


def _resolve_hub_repo(repo: str, settings: Settings) -> Source:
    """An ``hf-hub:`` repository with its config and weights in the Hugging Face cache."""
    missing = f"the CLIP model {HF_HUB}{repo} is not on this machine"
    weights = _hub_cached(repo, _hub_names(HF_WEIGHTS_NAME))
    if weights is None or _hub_cached(repo, [HF_CONFIG_NAME]) is None:
        require_hub(missing, hub_constants.ENDPOINT, settings, LOCAL_DIR_FIX)
        try:
            download_pretrained_from_hf(repo, filename=HF_CONFIG_NAME)
            weights = Path(download_pretrained_from_hf(repo))
        except Exception as error:  # network, HTTP and disk errors of two libraries
            raise ModelUnavailable(
                f"{missing} and the download failed: {one_line(error)}",
                fix=f"check the repository name, {LOCAL_DIR_FIX}",
            ) from error
    fix = f"delete {weights} so that it is downloaded again, {LOCAL_DIR_FIX}"
    return Source(f"{HF_HUB}{repo}", f"{HF_HUB}{repo}", None, weights, fix)


def _resolve_folder(folder: Path) -> Source:
    """A ``local-dir:`` folder holding an open_clip config and a checkpoint."""
    found = _find_checkpoint_in_dir(folder) if (folder / HF_CONFIG_NAME).is_file() else None
    if found is None:
        raise ModelUnavailable(
            f"CLIP folder {folder} needs {HF_CONFIG_NAME} and a checkpoint "
            "(.safetensors, .bin or .pth)",
            fix="point SHOP_CLIP_MODEL at a folder saved by open_clip",
        )
    weights = Path(found)
    fix = f"replace {weights} with a checkpoint matching {folder / HF_CONFIG_NAME}"
    return Source(f"{folder.name}/{weights.name}", f"{LOCAL_DIR}{folder}", None, weights, fix)


def _hub_names(filename: str) -> list[str]:
    """Names open_clip tries for a hub file, safetensors first: a.bin → [a.safetensors, a.bin]."""
    if filename == HF_WEIGHTS_NAME:
        return [HF_SAFE_WEIGHTS_NAME, filename]
    if filename.endswith((".bin", ".pth")):
        return [filename[:-4] + ".safetensors", filename]
    return [filename]


def _hub_cached(repo: str, filenames: Sequence[str]) -> Path | None:
    """The first of ``filenames`` present in the Hugging Face cache; never touches the net."""
    for filename in filenames:
        found = try_to_load_from_cache(repo, filename)
        if isinstance(found, str):
            return Path(found)
    return None


def loaded_weights(source: Source) -> Path:
    """The file open_clip loaded (online, it may have fetched safetensors beside a .bin)."""
    if source.model_name.startswith(HF_HUB):
        repo = source.model_name.removeprefix(HF_HUB)
        return _hub_cached(repo, _hub_names(HF_WEIGHTS_NAME)) or source.weights
    return source.weights


def require_hub(missing: str, url: str, settings: Settings, local_fix: str = "") -> None:
    """Return if a download from ``url`` may start now; else ModelUnavailable saying why not.

    ``missing`` says what is lacking ("the CLIP weights … are not on this machine");
    ``local_fix`` is the way around the download, if there is one.
    """
    alternative = f", {local_fix}" if local_fix else ""
    if not settings.allow_downloads:
        raise ModelUnavailable(
            f"{missing}, and downloads are off (allow_downloads=false)",
            fix=f"set SHOP_ALLOW_DOWNLOADS=true on a machine with internet{alternative}",
        )
    if hub_constants.HF_HUB_OFFLINE and url.startswith(hub_constants.ENDPOINT):
        raise ModelUnavailable(
            f"{missing}, and HF_HUB_OFFLINE is set",
            fix=f"unset HF_HUB_OFFLINE on a machine with internet{alternative}",
        )
    problem = _unreachable(url, settings.download_timeout_s)
    if problem:
        raise ModelUnavailable(
            f"{missing}, and {problem}",
            fix=f"connect to the internet once, so that it is downloaded and cached{alternative}",
        )


def _unreachable(url: str, timeout: float) -> str | None:
    """None if a TCP connection to ``url``'s host (or its proxy) opens within ``timeout``.

    A plain connect, run in a daemon thread so that a slow DNS lookup is bounded too;
    the libraries' own downloads have no overall deadline to lean on.
    """
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    if not host:
        return f"the download address {url!r} has no host"
    # The downloaders honour the usual proxy variables, so probe what they would connect to.
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        host, port = proxy_parts.hostname or host, proxy_parts.port or 80
    answered: list[bool] = []

    def connect() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                answered.append(True)
        except OSError:
            answered.append(False)

    probe = threading.Thread(target=connect, name="clip-hub-probe", daemon=True)
    probe.start()
    probe.join(timeout)
    return None if answered == [True] else f"{host}:{port} did not answer within {timeout:g} s"


def one_line(error: BaseException, limit: int = 240) -> str:
    """An exception as one short line: "UnpicklingError: invalid load key, 'x'."."""
    text = f"{type(error).__name__}: {' '.join(str(error).split())}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
