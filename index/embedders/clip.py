"""CLIP through open_clip: texts and photos in one vector space, or an honest refusal.

The idea: resolve the weights to a file on this machine *before* building anything,
so that a missing model costs milliseconds, not a hang or a silently random network.

1. ``clip_model`` names an open_clip architecture (``ViT-B-32``), an ``hf-hub:org/name``
   repository or a ``local-dir:`` folder; ``clip_pretrained`` names a pretrained tag
   (``laion2b_s34b_b79k``) or a checkpoint file (a ``torch.save``-d state_dict), and is
   ignored for ``hf-hub:``/``local-dir:`` names, as open_clip does. An architecture with
   no weights named is refused: random weights are reachable only by saving them to a
   file and naming that file.
2. Weights already in the Hugging Face cache (or open_clip's URL cache) are used from
   there. Otherwise a download happens only if ``allow_downloads`` is on and a plain TCP
   connect to the hub (or the proxy in between) succeeds within ``download_timeout_s``.
3. The model is built with the hub switched to offline mode, so cached files are used
   without a round trip. Only if that fails for want of a hub file (a Hugging Face text
   tower's config, a tokenizer) is it retried online, behind the same gate.

Every failure is a ``ModelUnavailable`` with one line: what was asked, why it cannot be
had, what to do. Compromise: offline mode is a process-wide flag of huggingface_hub,
flipped only while the model is built; another thread loading a hub model at that very
moment would see it too (it would use its cache or fail, never hang).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np

from ..errors import ModelUnavailable
from ..hashing import file_sha256
from .base import EmbedderInfo, normalize

try:
    import open_clip
    import torch
    from huggingface_hub import constants as hub_constants
    from huggingface_hub import try_to_load_from_cache
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled
    from open_clip.constants import HF_CONFIG_NAME, HF_SAFE_WEIGHTS_NAME, HF_WEIGHTS_NAME
    from open_clip.factory import _find_checkpoint_in_dir  # the same choice open_clip makes
    from open_clip.pretrained import download_pretrained_from_hf
except RuntimeError as error:  # e.g. "operator torchvision::nms does not exist"
    raise ModelUnavailable(
        f"torch/torchvision cannot load open_clip ({error})",
        fix="install torch and torchvision as a matching pair with the README's install command",
    ) from error

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from ..settings import Settings

log = logging.getLogger(__name__)

HF_HUB = "hf-hub:"
LOCAL_DIR = "local-dir:"
CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".ckpt", ".npz")
LOCAL_FILE_FIX = "or set SHOP_CLIP_PRETRAINED to a local checkpoint file"
LOCAL_DIR_FIX = f"or set SHOP_CLIP_MODEL={LOCAL_DIR}<a copy of the repository>"


@dataclass(frozen=True, slots=True)
class _Source:
    """Weights resolved to a local file, and how to ask open_clip for them."""

    label: str  # what the manifest records: "ViT-B-32/laion2b_s34b_b79k", "hf-hub:org/name"
    model_name: str  # open_clip's first argument
    pretrained: str | None  # checkpoint file for a built-in architecture
    weights: Path  # the file that is loaded; its sha256 goes into the manifest
    bad_file_fix: str  # what to do when that file does not load
    tag: dict[str, Any] = field(default_factory=dict)  # a pretrained tag's preprocessing


class ClipEmbedder:
    """Texts and RGB photos → L2-normalised float32 vectors in one CLIP space."""

    def __init__(self, settings: Settings) -> None:
        self._batch_size = settings.batch_size
        self._device = _device(settings.device)
        source = _resolve(settings)
        self._model, self._preprocess, self._tokenizer = _build_gated(
            source, self._device, settings
        )
        weights = _loaded_weights(source)
        dim = int(self._encode_texts(["a product photo"]).shape[1])
        self.info = EmbedderInfo(
            name="clip",
            model=source.label,
            version=open_clip.__version__,
            dim=dim,
            sha256=file_sha256(weights),
        )
        log.info("CLIP embedder: %s on %s, %d-d (%s)", source.label, self._device, dim, weights)

    def embed_texts(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        """Vectors for texts; CLIP is symmetric, so ``query`` changes nothing."""
        return self._batched(list(texts), self._encode_texts)

    def embed_images(self, images: Sequence[PILImage]) -> np.ndarray:
        """Vectors for RGB photos (as ``index.photos.open_photo`` returns them)."""
        return self._batched(list(images), self._encode_images)

    def _batched(self, items: list[Any], encode: Callable[[list[Any]], np.ndarray]) -> np.ndarray:
        if not items:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        parts = [
            encode(items[i : i + self._batch_size]) for i in range(0, len(items), self._batch_size)
        ]
        return normalize(np.concatenate(parts))

    def _encode_texts(self, texts: list[str]) -> np.ndarray:
        with torch.inference_mode():
            tokens = self._tokenizer(texts).to(self._device)
            return self._model.encode_text(tokens, normalize=True).float().cpu().numpy()

    def _encode_images(self, images: list[PILImage]) -> np.ndarray:
        with torch.inference_mode():
            pixels = torch.stack([self._preprocess(image) for image in images]).to(self._device)
            return self._model.encode_image(pixels, normalize=True).float().cpu().numpy()


def _device(requested: str) -> str:
    """The torch device: auto → cuda if torch sees a GPU, else cpu; cuda without a GPU → refused."""
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(requested)
    except RuntimeError:
        raise ModelUnavailable(
            f"unknown torch device {requested!r}", fix="set SHOP_DEVICE to cpu, cuda or auto"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelUnavailable(
            f"device {requested!r} was asked for but torch sees no CUDA GPU",
            fix="set SHOP_DEVICE=cpu or SHOP_DEVICE=auto",
        )
    return requested


def _resolve(settings: Settings) -> _Source:
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
        return _Source(f"{arch}/{pretrained}", arch, str(weights), weights, fix, tag)
    path = Path(pretrained).expanduser()
    if path.is_file():
        fix = f"SHOP_CLIP_PRETRAINED must be a state_dict saved from a {arch} model"
        return _Source(f"{arch}/{path.name}", arch, str(path), path, fix)
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
    _require_hub(
        f"{what} not on this machine",
        hub_constants.ENDPOINT if hub else url,
        settings,
        LOCAL_FILE_FIX,
    )
    try:
        return Path(open_clip.download_pretrained(tag))
    except Exception as error:  # network, HTTP and disk errors of two libraries
        raise ModelUnavailable(
            f"{what} not on this machine and the download failed: {_one_line(error)}",
            fix=f"try again later, {LOCAL_FILE_FIX}",
        ) from error


def _resolve_hub_repo(repo: str, settings: Settings) -> _Source:
    """An ``hf-hub:`` repository with its config and weights in the Hugging Face cache."""
    missing = f"the CLIP model {HF_HUB}{repo} is not on this machine"
    weights = _hub_cached(repo, _hub_names(HF_WEIGHTS_NAME))
    if weights is None or _hub_cached(repo, [HF_CONFIG_NAME]) is None:
        _require_hub(missing, hub_constants.ENDPOINT, settings, LOCAL_DIR_FIX)
        try:
            download_pretrained_from_hf(repo, filename=HF_CONFIG_NAME)
            weights = Path(download_pretrained_from_hf(repo))
        except Exception as error:  # network, HTTP and disk errors of two libraries
            raise ModelUnavailable(
                f"{missing} and the download failed: {_one_line(error)}",
                fix=f"check the repository name, {LOCAL_DIR_FIX}",
            ) from error
    fix = f"delete {weights} so that it is downloaded again, {LOCAL_DIR_FIX}"
    return _Source(f"{HF_HUB}{repo}", f"{HF_HUB}{repo}", None, weights, fix)


def _resolve_folder(folder: Path) -> _Source:
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
    return _Source(f"{folder.name}/{weights.name}", f"{LOCAL_DIR}{folder}", None, weights, fix)


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


def _loaded_weights(source: _Source) -> Path:
    """The file open_clip loaded (online, it may have fetched safetensors beside a .bin)."""
    if source.model_name.startswith(HF_HUB):
        repo = source.model_name.removeprefix(HF_HUB)
        return _hub_cached(repo, _hub_names(HF_WEIGHTS_NAME)) or source.weights
    return source.weights


def _require_hub(missing: str, url: str, settings: Settings, local_fix: str = "") -> None:
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


def _build_gated(source: _Source, device: str, settings: Settings) -> tuple[Any, Any, Any]:
    """Model, preprocessing and tokenizer: from local files, else online behind the gate."""
    try:
        with _hub_offline():
            return _build(source, device)
    except Exception as error:  # checkpoints fail in many ways: pickle, zip, safetensors, shapes
        if not _wants_hub(error):
            raise ModelUnavailable(
                f"cannot load CLIP {source.label} from {source.weights}: {_one_line(error)}",
                fix=source.bad_file_fix,
            ) from error
        missing = f"CLIP {source.label} needs {_hub_repos(source)}, which is not cached"
        _require_hub(missing, hub_constants.ENDPOINT, settings)
    try:
        return _build(source, device)
    except Exception as error:  # as above, plus network errors
        raise ModelUnavailable(
            f"cannot load CLIP {source.label}: {_one_line(error)}", fix=source.bad_file_fix
        ) from error


def _build(source: _Source, device: str) -> tuple[Any, Any, Any]:
    tag = source.tag
    model, _, preprocess = open_clip.create_model_and_transforms(
        source.model_name,
        pretrained=source.pretrained,
        device=device,
        # A tag trained with QuickGELU needs it; open_clip itself only warns on a mismatch.
        force_quick_gelu=bool(tag.get("quick_gelu", False)),
        image_mean=tag.get("mean"),
        image_std=tag.get("std"),
        image_interpolation=tag.get("interpolation"),
        image_resize_mode=tag.get("resize_mode"),
        require_pretrained=True,
        weights_only=True,
    )
    model.eval()
    return model, preprocess, open_clip.get_tokenizer(source.model_name)


def _hub_repos(source: _Source) -> str:
    """The Hugging Face repositories a text tower or tokenizer is loaded from, by name."""
    if source.model_name.startswith((HF_HUB, LOCAL_DIR)):
        config_file = source.weights.parent / HF_CONFIG_NAME
        config = json.loads(config_file.read_text()) if config_file.is_file() else {}
        config = config.get("model_cfg", config)
    else:
        config = open_clip.get_model_config(source.model_name) or {}
    text = config.get("text_cfg", {})
    names = sorted({text.get("hf_model_name", ""), text.get("hf_tokenizer_name", "")} - {""})
    return " and ".join(names) or "files of the Hugging Face hub (a text tower or tokenizer)"


@contextlib.contextmanager
def _hub_offline() -> Iterator[None]:
    """huggingface_hub (and transformers, which asks it) use only the cache meanwhile."""
    saved = hub_constants.HF_HUB_OFFLINE
    hub_constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        hub_constants.HF_HUB_OFFLINE = saved


def _wants_hub(error: BaseException | None) -> bool:
    """True if ``error`` (or one it was raised from) means: a hub file is not cached."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, LocalEntryNotFoundError | OfflineModeIsEnabled):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _one_line(error: BaseException, limit: int = 240) -> str:
    """An exception as one short line: "UnpicklingError: invalid load key, 'x'."."""
    text = f"{type(error).__name__}: {' '.join(str(error).split())}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
