"""Retrieval settings: the catalog, its index and the models that embed it.

Precedence: command-line flags > environment variables (prefix ``SHOP_``) > defaults.
The assistant's settings (``assistant.settings``) and the page's
(``assistant.web.settings``) extend this class, so each entry point still builds one
typed object in its ``main()`` and passes it down; no other module reads the
environment. Model choices are settings, never code changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Self

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_CATALOG = PROJECT_ROOT / "data" / "demo"
# A checkout keeps its indexes and assembled models beside the code. An installed
# package has no demo catalog and must not write into site-packages, so it keeps them
# under the folder it is started from.
STATE_ROOT = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()


class Settings(BaseSettings):
    """What search and the index build need, with the defaults that run offline."""

    model_config = SettingsConfigDict(env_prefix="SHOP_", extra="forbid")

    catalog: Path = Field(DEMO_CATALOG, description="catalog folder or .jsonl file")
    index_dir: Path | None = Field(None, description="index folder (default: .index/<catalog>)")
    csv_mapping: str | None = Field(
        None, description="CSV column mapping: shopify | magento | a JSON mapping file"
    )
    text_embedder: str = Field("e5", description="text embedder: e5 | minilm")
    image_embedder: str = Field("clip", description="image embedder: clip | visual")
    image_fallback: str = Field("visual", description="used when the image embedder fails")
    clip_model: str = Field("ViT-B-32", description="open_clip architecture or hf-hub:<id>")
    clip_pretrained: str = Field(
        "laion2b_s34b_b79k", description="open_clip pretrained tag or a checkpoint file"
    )
    allow_downloads: bool = Field(True, description="may fetch model weights from a hub")
    download_timeout_s: float = Field(3.0, gt=0, description="give up on a hub after this")
    device: str = Field("cpu", description="torch device for CLIP: cpu | cuda | auto")
    batch_size: int = Field(32, ge=1, le=4096)
    exact_search_max: int = Field(
        50_000, ge=0, description="above this many vectors use an HNSW index"
    )
    vector_store: str = Field("faiss", description="vector store backend: faiss")
    auto_rebuild: bool = Field(False, description="rebuild a stale index instead of refusing")
    k: int = Field(10, ge=1, le=1000, description="results per search")
    model_cache: Path = Field(
        STATE_ROOT / ".cache" / "models", description="where assembled model files are kept"
    )

    @field_validator("catalog", "index_dir", "model_cache", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        return Path(value).expanduser() if isinstance(value, str) and value else value

    def resolved_index_dir(self) -> Path:
        """Where the index lives: the explicit folder, or one per catalog under .index/."""
        if self.index_dir is not None:
            return self.index_dir
        source = self.catalog.resolve()
        digest = hashlib.sha256(str(source).encode()).hexdigest()[:8]
        return STATE_ROOT / ".index" / f"{source.stem}-{digest}"

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any]) -> Self:
        """Settings from CLI values (``None`` means: not given, use env or default)."""
        return cls(**{key: value for key, value in overrides.items() if value is not None})
