"""The CLIP embedder loads real weights through open_clip, or refuses within seconds.

No CLIP weights can be downloaded here, so the tests register a tiny open_clip
architecture (1.6 M parameters, 32-d), save its random weights with ``torch.save`` and
load them through the embedder: the real loading, preprocessing and encoding path,
checked against the model the weights came from. The Hugging Face cache is swapped for
an empty folder per test and the hub endpoint for a closed local port, so nothing here
can reach the internet and a cached developer model cannot change the outcome.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import open_clip
import pytest
import torch
from huggingface_hub import constants as hub_constants
from PIL import Image

from index.embedders.base import image_embedder
from index.embedders.clip import ClipEmbedder
from index.errors import ModelUnavailable
from index.settings import Settings

pytestmark = pytest.mark.slow

ARCH = "shop-tiny-clip"
DIM = 32
TINY: dict[str, Any] = {
    "embed_dim": DIM,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "head_width": 16, "patch_size": 16},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}
HUB_REPO = "shop-test/tiny-clip"
TEXTS = ["red hoodie", "blue denim jacket", "leather bag", "wool socks", "白色T恤"]


def _register(folder: Path, name: str, config: dict[str, Any]) -> None:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(config))
    open_clip.add_model_config(path)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    """The tiny model the checkpoint is saved from, with its preprocessing and tokenizer."""
    folder = tmp_path_factory.mktemp("configs")
    _register(folder, ARCH, TINY)
    wider = json.loads(json.dumps(TINY)) | {"embed_dim": 48}
    _register(folder, f"{ARCH}-wide", wider)
    text_tower = json.loads(json.dumps(TINY))
    text_tower["text_cfg"] = {
        "hf_model_name": "shop-test/no-such-text-model",
        "hf_tokenizer_name": "shop-test/no-such-text-model",
        "hf_proj_type": "linear",
    }
    _register(folder, f"{ARCH}-hf-text", text_tower)
    torch.manual_seed(0)
    model, _, preprocess = open_clip.create_model_and_transforms(ARCH)  # random, on purpose
    return model.eval(), preprocess, open_clip.get_tokenizer(ARCH)


@pytest.fixture(scope="module")
def checkpoint(reference: tuple[Any, Any, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("weights") / "tiny.pt"
    torch.save(reference[0].state_dict(), path)
    return path


@pytest.fixture(autouse=True)
def offline_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """An empty Hugging Face cache and a hub endpoint on a closed local port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(hub_constants, "ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    yield port
    assert hub_constants.HF_HUB_OFFLINE is False, "offline mode leaked out of the embedder"


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "clip_model": ARCH,
        "clip_pretrained": "",
        "image_embedder": "clip",
        "allow_downloads": False,
        "download_timeout_s": 1.0,
        "device": "cpu",
        "batch_size": 2,
    }
    return Settings(**(values | overrides))


@pytest.fixture(scope="module")
def embedder(checkpoint: Path) -> ClipEmbedder:
    return ClipEmbedder(make_settings(clip_pretrained=str(checkpoint)))


def photos() -> list[Image.Image]:
    rng = np.random.default_rng(7)
    noise = Image.fromarray(rng.integers(0, 255, (60, 45, 3), dtype=np.uint8))
    return [Image.new("RGB", (50, 40), (200, 20, 20)), Image.new("RGB", (32, 64), "navy"), noise]


def refused(settings: Settings, within: float) -> ModelUnavailable:
    """The ModelUnavailable the embedder raises, after checking it came fast and on one line."""
    start = time.monotonic()
    with pytest.raises(ModelUnavailable) as caught:
        ClipEmbedder(settings)
    elapsed = time.monotonic() - start
    assert elapsed < within, f"took {elapsed:.1f} s: {caught.value}"
    assert "\n" not in str(caught.value)
    return caught.value


def test_vectors_are_unit_float32_rows_of_one_dimension(embedder: ClipEmbedder) -> None:
    texts = embedder.embed_texts(TEXTS, query=True)  # 5 texts in batches of 2
    images = embedder.embed_images(photos())
    assert texts.shape == (len(TEXTS), DIM) and images.shape == (3, DIM)
    for vectors in (texts, images):
        assert vectors.dtype == np.float32 and vectors.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.info.dim == DIM
    assert embedder.embed_texts([], query=False).shape == (0, DIM)
    assert embedder.embed_images([]).shape == (0, DIM)


def test_vectors_are_those_of_the_saved_model(
    embedder: ClipEmbedder, reference: tuple[Any, Any, Any]
) -> None:
    model, preprocess, tokenizer = reference
    with torch.no_grad():
        text = model.encode_text(tokenizer(TEXTS), normalize=True).numpy()
        pixels = torch.stack([preprocess(photo) for photo in photos()])
        image = model.encode_image(pixels, normalize=True).numpy()
    np.testing.assert_allclose(embedder.embed_texts(TEXTS, query=False), text, atol=1e-5)
    np.testing.assert_allclose(embedder.embed_images(photos()), image, atol=1e-5)


def test_same_input_same_vectors_across_calls_batches_and_loads(
    embedder: ClipEmbedder, checkpoint: Path
) -> None:
    first = embedder.embed_texts(TEXTS, query=True)
    assert np.array_equal(first, embedder.embed_texts(TEXTS, query=True))
    one_by_one = np.concatenate([embedder.embed_texts([text], query=True) for text in TEXTS])
    np.testing.assert_allclose(first, one_by_one, atol=1e-5)
    again = ClipEmbedder(make_settings(clip_pretrained=str(checkpoint), batch_size=64))
    np.testing.assert_allclose(
        again.embed_images(photos()), embedder.embed_images(photos()), atol=1e-5
    )
    assert again.info == embedder.info


def test_info_records_the_file_that_was_loaded(embedder: ClipEmbedder, checkpoint: Path) -> None:
    info = embedder.info
    assert (info.name, info.model, info.version) == (
        "clip",
        f"{ARCH}/tiny.pt",
        open_clip.__version__,
    )
    assert info.sha256 == hashlib.sha256(checkpoint.read_bytes()).hexdigest()


def test_logs_the_model_and_device_once(checkpoint: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="index.embedders.clip"):
        ClipEmbedder(make_settings(clip_pretrained=str(checkpoint), device="auto"))
    lines = [r.getMessage() for r in caplog.records if r.name == "index.embedders.clip"]
    assert len(lines) == 1 and f"{ARCH}/tiny.pt" in lines[0] and "cpu" in lines[0]


def test_missing_file_is_refused(tmp_path: Path) -> None:
    error = refused(make_settings(clip_pretrained=str(tmp_path / "gone.pt")), within=2)
    assert "not found" in str(error) and "gone.pt" in str(error)


def test_corrupt_file_is_refused(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"not a checkpoint\n" * 100)
    error = refused(make_settings(clip_pretrained=str(corrupt)), within=2)
    assert "cannot load CLIP" in str(error) and "corrupt.pt" in str(error)


def test_weights_of_another_architecture_are_refused(tmp_path: Path) -> None:
    wide = tmp_path / "wide.pt"
    torch.save(open_clip.create_model(f"{ARCH}-wide").state_dict(), wide)
    error = refused(make_settings(clip_pretrained=str(wide)), within=2)
    assert "cannot load CLIP" in str(error) and "size mismatch" in str(error)


def test_unknown_architecture_names_how_to_list_them(checkpoint: Path) -> None:
    error = refused(make_settings(clip_model="ViT-Q-99", clip_pretrained=str(checkpoint)), 2)
    assert "unknown CLIP architecture" in str(error) and "list_models()" in str(error)


@pytest.mark.parametrize("pretrained", ["", "no_such_tag"])
def test_random_weights_are_never_used(pretrained: str) -> None:
    error = refused(make_settings(clip_model="ViT-B-32", clip_pretrained=pretrained), within=2)
    assert "openai" in str(error)  # the fix lists tags to choose from


def test_uncached_tag_without_downloads_is_refused_fast() -> None:
    settings = make_settings(clip_model="ViT-B-32", clip_pretrained="laion2b_s34b_b79k")
    error = refused(settings, within=5)
    assert "ViT-B-32/laion2b_s34b_b79k" in str(error) and "downloads are off" in str(error)
    assert "SHOP_CLIP_PRETRAINED" in str(error)


def test_uncached_tag_with_an_unreachable_hub_is_refused_within_the_timeout(
    offline_hub: int,
) -> None:
    settings = make_settings(
        clip_model="ViT-B-32", clip_pretrained="laion2b_s34b_b79k", allow_downloads=True
    )
    error = refused(settings, within=1.0 + 3)
    assert f"127.0.0.1:{offline_hub} did not answer" in str(error)


def test_a_hanging_connect_is_abandoned_at_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hang(*args: Any, **kwargs: Any) -> socket.socket:
        release.wait(30)
        raise OSError("released")

    monkeypatch.setattr(socket, "create_connection", hang)
    settings = make_settings(
        clip_model="ViT-B-32",
        clip_pretrained="laion2b_s34b_b79k",
        allow_downloads=True,
        download_timeout_s=0.5,
    )
    try:
        error = refused(settings, within=0.5 + 2)
    finally:
        release.set()
    assert "did not answer within 0.5 s" in str(error)


def test_url_tag_probes_its_own_host(offline_hub: int, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{offline_hub}/shop-tiny-clip-never-cached.pt"
    monkeypatch.setitem(open_clip.pretrained._PRETRAINED, ARCH, {"urltag": {"url": url}})
    error = refused(make_settings(clip_pretrained="urltag", allow_downloads=True), within=4)
    assert f"127.0.0.1:{offline_hub}" in str(error)


def _cache_hub_repo(files: dict[str, Path | dict[str, Any]]) -> Path:
    """Files laid out as huggingface_hub caches a download of HUB_REPO."""
    repo = Path(hub_constants.HF_HUB_CACHE) / f"models--{HUB_REPO.replace('/', '--')}"
    revision = "0" * 40
    snapshot = repo / "snapshots" / revision
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, snapshot / name)
        else:
            (snapshot / name).write_text(json.dumps(content))
    return snapshot


def test_a_cached_tag_loads_without_the_hub(
    checkpoint: Path, embedder: ClipEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = {"hf_hub": f"{HUB_REPO}/", "mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5)}
    monkeypatch.setitem(open_clip.pretrained._PRETRAINED, ARCH, {"cachedtag": tag})
    snapshot = _cache_hub_repo({"open_clip_pytorch_model.bin": checkpoint})
    cached = ClipEmbedder(make_settings(clip_pretrained="cachedtag"))
    assert cached.info.model == f"{ARCH}/cachedtag"
    assert cached.info.sha256 == embedder.info.sha256
    assert (snapshot / "open_clip_pytorch_model.bin").is_file()
    np.testing.assert_allclose(
        cached.embed_texts(TEXTS, query=True), embedder.embed_texts(TEXTS, query=True), atol=1e-5
    )
    # the tag's own normalisation is used for photos, so they differ from the plain file's
    assert not np.allclose(
        cached.embed_images(photos()), embedder.embed_images(photos()), atol=1e-3
    )


def test_a_cached_hf_hub_model_loads_without_the_hub(
    checkpoint: Path, embedder: ClipEmbedder
) -> None:
    _cache_hub_repo(
        {"open_clip_config.json": {"model_cfg": TINY}, "open_clip_pytorch_model.bin": checkpoint}
    )
    cached = ClipEmbedder(make_settings(clip_model=f"hf-hub:{HUB_REPO}", device="auto"))
    assert (cached.info.model, cached.info.sha256) == (f"hf-hub:{HUB_REPO}", embedder.info.sha256)
    np.testing.assert_allclose(
        cached.embed_images(photos()), embedder.embed_images(photos()), atol=1e-5
    )


def test_an_uncached_hf_hub_model_is_refused_fast(offline_hub: int) -> None:
    error = refused(make_settings(clip_model=f"hf-hub:{HUB_REPO}"), within=2)
    assert "downloads are off" in str(error) and "local-dir:" in str(error)
    settings = make_settings(clip_model=f"hf-hub:{HUB_REPO}", allow_downloads=True)
    assert f"127.0.0.1:{offline_hub}" in str(refused(settings, within=4))


def test_a_local_folder_loads(tmp_path: Path, checkpoint: Path, embedder: ClipEmbedder) -> None:
    folder = tmp_path / "my-clip"
    folder.mkdir()
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": TINY}))
    shutil.copyfile(checkpoint, folder / "open_clip_pytorch_model.bin")
    local = ClipEmbedder(make_settings(clip_model=f"local-dir:{folder}"))
    assert local.info.model == "my-clip/open_clip_pytorch_model.bin"
    np.testing.assert_allclose(
        local.embed_texts(TEXTS, query=True), embedder.embed_texts(TEXTS, query=True), atol=1e-5
    )
    assert "needs open_clip_config.json" in str(
        refused(make_settings(clip_model=f"local-dir:{tmp_path}"), 2)
    )


def test_an_uncached_hugging_face_text_tower_is_refused_fast(checkpoint: Path) -> None:
    settings = make_settings(clip_model=f"{ARCH}-hf-text", clip_pretrained=str(checkpoint))
    error = refused(settings, within=4)
    assert "shop-test/no-such-text-model" in str(error) and "downloads are off" in str(error)
    error = refused(settings.model_copy(update={"allow_downloads": True}), within=4)
    assert "did not answer" in str(error)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_refused(checkpoint: Path) -> None:
    error = refused(make_settings(clip_pretrained=str(checkpoint), device="cuda"), within=2)
    assert "SHOP_DEVICE" in str(error)


def test_without_weights_the_image_fallback_is_used() -> None:
    pytest.importorskip("index.embedders.visual")
    settings = make_settings(
        clip_model="ViT-B-32", clip_pretrained="laion2b_s34b_b79k", image_fallback="visual"
    )
    start = time.monotonic()
    chosen, notice = image_embedder(settings)
    assert time.monotonic() - start < 10
    assert chosen.info.name == "visual" and not isinstance(chosen, ClipEmbedder)
    assert notice is not None and "downloads are off" in notice
