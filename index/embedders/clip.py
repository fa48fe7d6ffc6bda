"""CLIP through open_clip: texts and photos in one vector space, or an honest refusal.

The weights are found first (``clip_weights``); then the model is built with the hub
switched to offline mode, so cached files are used without a round trip. Only if that
fails for want of a hub file (a Hugging Face text tower's config, a tokenizer) is it
retried online, behind the same gate as downloads of the weights.

Compromise: offline mode is a process-wide flag of huggingface_hub, flipped only while
the model is built; another thread loading a hub model at that very moment would see it
too (it would use its cache or fail, never hang).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelUnavailable
from ..hashing import file_sha256
from .base import EmbedderInfo, normalize

try:
    import open_clip
    import torch
    from huggingface_hub import constants as hub_constants
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled
    from open_clip.constants import HF_CONFIG_NAME

    from .clip_weights import (
        HF_HUB,
        LOCAL_DIR,
        Source,
        loaded_weights,
        one_line,
        require_hub,
        resolve,
    )
except RuntimeError as error:  # e.g. "operator torchvision::nms does not exist"
    raise ModelUnavailable(
        f"torch/torchvision cannot load open_clip ({error})",
        fix="install torch and torchvision as a matching pair with the README's install command",
    ) from error

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from ..settings import Settings

log = logging.getLogger(__name__)


class ClipEmbedder:
    """Texts and RGB photos → L2-normalised float32 vectors in one CLIP space."""

    def __init__(self, settings: Settings) -> None:
        self._batch_size = settings.batch_size
        self._device = _device(settings.device)
        source = resolve(settings)
        self._model, self._preprocess, self._tokenizer = _build_gated(
            source, self._device, settings
        )
        weights = loaded_weights(source)
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


def _build_gated(source: Source, device: str, settings: Settings) -> tuple[Any, Any, Any]:
    """Model, preprocessing and tokenizer: from local files, else online behind the gate."""
    try:
        with _hub_offline():
            return _build(source, device)
    except Exception as error:  # checkpoints fail in many ways: pickle, zip, safetensors, shapes
        if not _wants_hub(error):
            raise ModelUnavailable(
                f"cannot load CLIP {source.label} from {source.weights}: {one_line(error)}",
                fix=source.bad_file_fix,
            ) from error
        missing = f"CLIP {source.label} needs {_hub_repos(source)}, which is not cached"
        require_hub(missing, hub_constants.ENDPOINT, settings)
    try:
        return _build(source, device)
    except Exception as error:  # as above, plus network errors
        raise ModelUnavailable(
            f"cannot load CLIP {source.label}: {one_line(error)}", fix=source.bad_file_fix
        ) from error


def _build(source: Source, device: str) -> tuple[Any, Any, Any]:
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


def _hub_repos(source: Source) -> str:
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
