"""Opening an index for search: the live generation, checked, then repaired or rebuilt.

A search reads one generation (see ``layout.py``): its manifest, the text and photo
vector stores, the keyword postings and the list of photos. They are checked against
each other, the catalog and the configured models once, on start, so a missing index
is built, and a stale, damaged or foreign one is refused with the command that fixes
it (or rebuilt with ``auto_rebuild``), never met mid-search as a raw faiss, numpy or
json error. Which photo embedder serves queries is decided here too: the one the
index was built with, not the one configured.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import numpy as np

from . import layout
from .build import build_index
from .catalog import Catalog
from .embedders.base import EmbedderInfo, ImageEmbedder, TextEmbedder, create_embedder
from .errors import IndexProblem, ModelUnavailable
from .keyword import KeywordIndex
from .settings import Settings
from .text import Tokenizer
from .vectors import VectorStore, store_class

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Indexes built before the manifest named its vector store were all FAISS.
OLDEST_BACKEND = "faiss"


@dataclass(frozen=True, slots=True)
class OpenedIndex:
    """What a search reads from one index generation, loaded and checked."""

    manifest: dict[str, Any]
    text_store: VectorStore
    image_store: VectorStore
    keywords: KeywordIndex
    images: list[dict[str, Any]]
    image_product: np.ndarray
    notices: tuple[str, ...]


def open_index(
    settings: Settings,
    catalog: Catalog,
    *,
    tokenizer: Tokenizer,
    text_model: TextEmbedder,
    image_model: ImageEmbedder | None = None,
    progress: bool = True,
) -> OpenedIndex:
    """The live generation's files, built first when there is no index.

    A stale or damaged index is refused with the command that fixes it, or rebuilt
    with ``auto_rebuild``; damage never escapes as a raw faiss, numpy or json error.
    An index built by other models or another vector store is refused either way:
    which models embed the catalog is the shop's choice, not something to undo on
    start. A rebuild embeds photos with ``image_model`` when one is given.
    """
    return _Opening(settings, catalog, tokenizer, text_model, image_model, progress).open()


class _Opening:
    """One opening of an index, collecting the notices it gives on the way."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        tokenizer: Tokenizer,
        text_model: TextEmbedder,
        image_model: ImageEmbedder | None,
        progress: bool,
    ) -> None:
        self.settings, self.catalog, self.progress = settings, catalog, progress
        self.tokenizer, self.text_model, self.image_model = tokenizer, text_model, image_model
        self.index_dir = settings.resolved_index_dir()
        self.store = store_class(settings.vector_store)
        self.notices: list[str] = []

    def open(self) -> OpenedIndex:
        build_command = layout.rebuild_fix(self.index_dir, self.settings.catalog)
        try:
            generation = layout.current(self.index_dir)
        except IndexProblem as error:
            return self._repair(error.message)
        if generation is None:
            self._notice(f"no index in {self.index_dir}; building it now")
            return self._load(self._rebuild())
        missing = _missing_field(generation.manifest)
        if missing is not None:
            return self._repair(f"the index manifest in {generation.folder} has no {missing}")
        built_with = generation.manifest["embedders"]["text"]
        if built_with != self.text_model.info.to_dict():
            raise IndexProblem(
                f"the index was built with the text embedder {built_with['name']} "
                f"({built_with['model']}), but {self.text_model.info.describe()} is configured",
                fix=build_command,
            )
        stored_by = generation.manifest.get("vector_backend", OLDEST_BACKEND)
        if stored_by != self.settings.vector_store:
            raise IndexProblem(
                f"the index was built with the vector store {stored_by}, "
                f"but {self.settings.vector_store} is configured",
                fix=build_command,
            )
        if generation.manifest["catalog"]["fingerprint"] != self.catalog.fingerprint():
            if not self.settings.auto_rebuild:
                raise IndexProblem(
                    f"the index in {self.index_dir} is stale: "
                    "the catalog changed since it was built",
                    fix=f"{build_command} (or pass --rebuild to update it incrementally)",
                )
            self._notice("the catalog changed since the index was built; updating it")
            return self._load(self._rebuild())
        try:
            return self._load(generation)
        except IndexProblem as error:
            return self._repair(error.message)

    def _repair(self, problem: str) -> OpenedIndex:
        """A damaged index: refused with its fix, or rebuilt with ``auto_rebuild``."""
        if not self.settings.auto_rebuild:
            fix = layout.rebuild_fix(self.index_dir, self.settings.catalog)
            raise IndexProblem(problem, fix=f"{fix} (or pass --rebuild to rebuild it)")
        self._notice(f"{problem}; rebuilding it")
        return self._load(self._rebuild())

    def _load(self, generation: layout.Generation) -> OpenedIndex:
        """Every file a search reads, checked against each other and the catalog."""
        folder, exact_max = generation.folder, self.settings.exact_search_max
        positions = {p.id: i for i, p in enumerate(self.catalog.products)}

        def photos() -> tuple[list[dict[str, Any]], np.ndarray]:
            images = json.loads((folder / "images.json").read_text(encoding="utf-8"))
            owners = [positions[m["product_id"]] for m in images]
            return images, np.array(owners, dtype=np.int64)

        def read(what: str, load: Callable[[], _T]) -> _T:
            try:
                return load()
            # A damaged file surfaces as whatever its reader raises: faiss's
            # RuntimeError, numpy's ValueError, zipfile's BadZipFile, json's ValueError,
            # a KeyError or TypeError for a field that is gone. To the shop they all
            # mean one thing, this generation cannot serve, so they become one line.
            except Exception as error:
                cause = error.__cause__ if isinstance(error, IndexProblem) else error
                reason = _brief(cause or error).replace(f"{folder}/", "")
                raise IndexProblem(
                    f"the index in {self.index_dir} is damaged ({what} unreadable: {reason})"
                ) from error

        text_store = read("text vectors", lambda: self.store.load(folder, "text", exact_max))
        image_store = read("photo vectors", lambda: self.store.load(folder, "image", exact_max))
        keywords = read("keyword.npz", lambda: KeywordIndex.load(folder / "keyword.npz"))
        images, owners = read("images.json", photos)
        products = len(self.catalog.products)
        for what, held, expected in (
            ("text vectors", len(text_store), products),
            ("keyword.npz", keywords.n_docs, products),
            ("photo vectors", len(image_store), len(images)),
        ):
            if held != expected:
                raise IndexProblem(
                    f"the index in {self.index_dir} is damaged "
                    f"({what} hold {held} entries, expected {expected})"
                )
        return OpenedIndex(
            generation.manifest,
            text_store,
            image_store,
            keywords,
            images,
            owners,
            tuple(self.notices),
        )

    def _rebuild(self) -> layout.Generation:
        report = build_index(
            self.catalog,
            self.settings,
            tokenizer=self.tokenizer,
            text_model=self.text_model,
            image_model=self.image_model,
            progress=self.progress,
        )
        if report.notice:
            self._notice(report.notice)
        generation = layout.current(self.index_dir)
        assert generation is not None
        return generation

    def _notice(self, message: str) -> None:
        log.warning("%s", message)
        self.notices.append(message)


def photo_embedder(
    settings: Settings, manifest: dict[str, Any], given: ImageEmbedder | None = None
) -> tuple[ImageEmbedder, str | None]:
    """The photo embedder the index was built with, and a notice if it is not the
    configured one; ``given`` is used instead of loading it, if it is that embedder.

    The index decides, not the settings: if CLIP was unavailable at build time the
    photos were embedded by the fallback, and queries must use the same model (and
    need not wait for CLIP to fail again).
    """
    built_with = manifest["embedders"]["image"]
    fix = layout.rebuild_fix(settings.resolved_index_dir(), settings.catalog)
    model: object = given
    if model is None:
        try:
            model = create_embedder(built_with["name"], settings)
        except ModelUnavailable as error:
            # Said as the index's problem: "unknown embedder 'x'" alone does not
            # tell a shop that its index names a model this machine lacks.
            raise IndexProblem(
                f"the index's photos were embedded by {_describe(built_with)}, "
                f"which cannot be loaded here ({error.message})",
                fix=f"{fix} (or: {error.fix})" if error.fix else fix,
            ) from error
    if not isinstance(model, ImageEmbedder) or model.info.to_dict() != built_with:
        now = model.info if isinstance(model, ImageEmbedder) else None
        raise IndexProblem(
            f"the index's photos were embedded by {_describe(built_with)}, "
            f"but this installation has {_describe(now.to_dict()) if now else 'none'}",
            fix=fix,
        )
    notice = None
    if given is None and built_with["name"] != settings.image_embedder:
        notice = (
            f"photos are searched with {model.info.describe()}, as the index was "
            f"built: {settings.image_embedder} could not load then "
            "(rebuild the index once it can)"
        )
    return model, notice


_EMBEDDER_FIELDS = tuple(f.name for f in fields(EmbedderInfo))
_MANIFEST_FIELDS = (
    *(("embedders", side, name) for side in ("text", "image") for name in _EMBEDDER_FIELDS),
    ("catalog", "fingerprint"),
)


def _missing_field(manifest: dict[str, Any]) -> str | None:
    """The first field a search reads that the manifest lacks: ``"embedders.text.dim"``."""
    for path in _MANIFEST_FIELDS:
        node: Any = manifest
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return ".".join(path)
            node = node[key]
    return None


_FAISS_PREFIX = re.compile(r"^Error in .*? at \S+:\d+: (?:Error: '.*?' failed: )?")


def _brief(error: BaseException, limit: int = 160) -> str:
    """One short line from a library's error; faiss's C++ signature and check are dropped.

    ``Error in void faiss::read_xb_vector(...) at index_read.cpp:276: Error: 'ret ==
    (size)' failed: read error in x.faiss`` → ``read error in x.faiss``
    """
    text = _FAISS_PREFIX.sub("", " ".join(str(error).split())) or type(error).__name__
    if isinstance(error, KeyError | TypeError):
        text = f"{type(error).__name__} {text}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(info: dict[str, Any]) -> str:
    return (
        f"{info['name']} ({info['model']}, version {info['version']}, {info['dim']}-d, "
        f"sha256 {str(info['sha256'])[:12]})"
    )
