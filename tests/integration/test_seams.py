"""The seams other engines plug into: embedders handed to Searcher, the vector-store registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import layout
from index.errors import IndexProblem
from index.search import Searcher
from index.settings import Settings
from index.vectors import STORES, FaissStore, store_class
from tests.fakes import HashingTextEmbedder, MeanColourImageEmbedder


def _settings(catalog: Path, tmp_path: Path, **extra: object) -> Settings:
    return Settings(catalog=catalog, index_dir=tmp_path / "idx", allow_downloads=False, **extra)


def test_a_searcher_builds_and_searches_with_the_embedders_it_is_given(
    small_catalog: Path, tmp_path: Path
) -> None:
    settings = _settings(small_catalog, tmp_path)
    searcher = Searcher(
        settings,
        progress=False,
        text_model=HashingTextEmbedder(),
        image_model=MeanColourImageEmbedder(),
    )
    manifest = layout.current(settings.resolved_index_dir()).manifest  # type: ignore[union-attr]
    assert manifest["embedders"]["text"]["name"] == "hashing"
    assert manifest["embedders"]["image"]["name"] == "mean-colour"
    assert searcher.search("backpack").hits[0].product.id == "B1"
    photo = small_catalog / "images" / "t2-green_main.jpg"
    assert searcher.search(photo=photo).hits[0].product.id == "T2"


def test_the_store_comes_from_the_registry_named_in_settings(
    small_catalog: Path, tmp_path: Path
) -> None:
    assert store_class("faiss") is FaissStore and set(STORES) == {"faiss"}
    settings = _settings(small_catalog, tmp_path, vector_store="milvus")
    with pytest.raises(IndexProblem, match="unknown vector store 'milvus'; choose one of: faiss"):
        Searcher(settings, progress=False, text_model=HashingTextEmbedder())
