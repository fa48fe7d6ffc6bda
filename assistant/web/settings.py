"""The page's settings: the assistant's, plus where and how the page is served."""

from __future__ import annotations

from pydantic import Field

from ..settings import AssistantSettings


class WebSettings(AssistantSettings):
    """Assistant settings plus the web server (``SHOP_HOST``, ``SHOP_PORT``…)."""

    host: str = Field("127.0.0.1", description="web app address; 0.0.0.0 exposes it")
    port: int = Field(7860, ge=0, le=65535, description="web app port (0: any free port)")
    share: bool = Field(False, description="web app: also open a public gradio.live link")
    max_upload_mb: int = Field(
        20, ge=1, le=20, description="largest photo upload (photos.MAX_BYTES is the ceiling)"
    )
