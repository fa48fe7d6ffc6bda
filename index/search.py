"""Hybrid product search: constraints filter and rank, vectors and keywords order the rest.

A result's score is ``soft + relevance``: ``soft`` counts the soft constraints the
product meets (gender, colour, size, each term), ``relevance`` in [0, 1) blends
dense text similarity, BM25 and, for a photo, the best visual match among the
product's photos. Products failing a hard constraint (type, price range) are left
out; when nothing is left, the nearest products are returned flagged as
alternatives with the unmet constraint named, which is how "not in our catalog"
is decided by code rather than by a language model.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from PIL.Image import Image as PILImage

from . import layout
from .build import build_index
from .catalog import Catalog, load_catalog
from .embedders.base import EmbedderInfo, ImageEmbedder, create_embedder, text_embedder
from .errors import IndexProblem, ModelUnavailable
from .facets import FacetIndex
from .keyword import KeywordIndex
from .photos import open_photo
from .prices import PriceRange
from .query import Constraints, Lexicon, ParsedQuery, QueryParser
from .records import Image, Product
from .settings import Settings
from .text import Tokenizer, clean_text
from .vectors import FaissStore

log = logging.getLogger(__name__)
_T = TypeVar("_T")

POOL = 1000
EXACT_CANDIDATES = 5000
RELEVANCE_SPAN = 0.99
WEIGHTS_TEXT = {"dense": 0.7, "keyword": 0.3}
WEIGHTS_PHOTO = {"photo": 0.7, "dense": 0.2, "keyword": 0.1}


@dataclass(frozen=True, slots=True)
class Hit:
    product: Product
    score: float
    matched: tuple[str, ...]
    image: Image | None
    signals: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        p = self.product
        out: dict[str, Any] = {
            "product_id": p.id,
            "name": p.name,
            "price": p.effective_price,
            "currency": p.currency,
            "score": round(self.score, 4),
            "matched": list(self.matched),
        }
        if p.effective_price < p.price:
            out["regular_price"] = p.price
        if p.price_range:
            out["price_range"] = {"min": p.price_range[0], "max": p.price_range[1]}
        out.update(
            categories=list(p.categories),
            colors=list(p.colors),
            sizes=list(p.sizes),
            image=self.image.file if self.image else None,
            rating=None if p.rating is None else round(p.rating, 2),
            review_count=len(p.reviews),
        )
        return out


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    constraints: Constraints
    query: ParsedQuery | None = None
    unmet: tuple[str, ...] = ()
    alternatives: bool = False
    notices: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class _Opened:
    """What a search reads from one index generation, loaded and checked."""

    manifest: dict[str, Any]
    text_store: FaissStore
    image_store: FaissStore
    keywords: KeywordIndex
    images: list[dict[str, Any]]
    image_product: np.ndarray


class Searcher:
    """Loads a catalog and its index once; answers text, photo and combined queries."""

    def __init__(
        self, settings: Settings, *, catalog: Catalog | None = None, progress: bool = True
    ) -> None:
        self.settings = settings
        self.catalog = catalog or load_catalog(settings.catalog, csv_mapping=settings.csv_mapping)
        raw = Lexicon.read()
        self.tokenizer = Tokenizer(Lexicon.words(raw))
        self.lexicon = Lexicon(raw, self.tokenizer)
        self.text_model = text_embedder(settings)
        self._image_model: ImageEmbedder | None = None
        self._image_lock = threading.Lock()
        self.notices: list[str] = []
        self.index_dir = settings.resolved_index_dir()
        opened = self._open(progress)
        self.manifest = opened.manifest
        self.text_store, self.image_store = opened.text_store, opened.image_store
        self.keywords = opened.keywords
        self._image_meta, self._image_product = opened.images, opened.image_product
        self.products = self.catalog.products
        self.prices = np.array([_floor_price(p) for p in self.products], dtype=np.float64)
        self.facets = FacetIndex(self.products, self.tokenizer)
        self.parser = QueryParser(self.lexicon, self.facets, self.tokenizer)
        log.info(
            "search ready: %d products, text %s, image %s, %s",
            len(self.products),
            self.text_model.info.describe(),
            self.manifest["embedders"]["image"]["name"],
            self.text_store.kind,
        )

    def _open(self, progress: bool) -> _Opened:
        """The live generation's files, built first when there is no index.

        A stale or damaged index is refused with the command that fixes it, or rebuilt
        with ``auto_rebuild``; damage never escapes as a raw faiss, numpy or json error.
        An index built by other models is refused either way: which models embed the
        catalog is the shop's choice, not something to undo on start.
        """
        build_command = layout.rebuild_fix(self.index_dir, self.settings.catalog)
        try:
            generation = layout.current(self.index_dir)
        except IndexProblem as error:
            return self._repair(error.message, progress)
        if generation is None:
            self._notice(f"no index in {self.index_dir}; building it now")
            return self._load(self._rebuild(progress))
        missing = _missing_field(generation.manifest)
        if missing is not None:
            problem = f"the index manifest in {generation.folder} has no {missing}"
            return self._repair(problem, progress)
        built_with = generation.manifest["embedders"]["text"]
        if built_with != self.text_model.info.to_dict():
            raise IndexProblem(
                f"the index was built with the text embedder {built_with['name']} "
                f"({built_with['model']}), but {self.text_model.info.describe()} is configured",
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
            return self._load(self._rebuild(progress))
        try:
            return self._load(generation)
        except IndexProblem as error:
            return self._repair(error.message, progress)

    def _repair(self, problem: str, progress: bool) -> _Opened:
        """A damaged index: refused with its fix, or rebuilt with ``auto_rebuild``."""
        if not self.settings.auto_rebuild:
            fix = layout.rebuild_fix(self.index_dir, self.settings.catalog)
            raise IndexProblem(problem, fix=f"{fix} (or pass --rebuild to rebuild it)")
        self._notice(f"{problem}; rebuilding it")
        return self._load(self._rebuild(progress))

    def _load(self, generation: layout.Generation) -> _Opened:
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

        text_store = read("text vectors", lambda: FaissStore.load(folder, "text", exact_max))
        image_store = read("photo vectors", lambda: FaissStore.load(folder, "image", exact_max))
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
        return _Opened(generation.manifest, text_store, image_store, keywords, images, owners)

    def _rebuild(self, progress: bool) -> layout.Generation:
        report = build_index(
            self.catalog,
            self.settings,
            tokenizer=self.tokenizer,
            text_model=self.text_model,
            progress=progress,
        )
        if report.notice:
            self._notice(report.notice)
        generation = layout.current(self.index_dir)
        assert generation is not None
        return generation

    def _notice(self, message: str) -> None:
        log.warning("%s", message)
        self.notices.append(message)

    def image_model(self) -> ImageEmbedder:
        """The photo embedder the index was built with, loaded once on first use.

        The index decides, not the settings: if CLIP was unavailable at build time the
        photos were embedded by the fallback, and queries must use the same model (and
        need not wait for CLIP to fail again).
        """
        with self._image_lock:
            if self._image_model is None:
                built_with = self.manifest["embedders"]["image"]
                fix = layout.rebuild_fix(self.index_dir, self.settings.catalog)
                try:
                    model = create_embedder(built_with["name"], self.settings)
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
                if built_with["name"] != self.settings.image_embedder:
                    self._notice(
                        f"photos are searched with {model.info.describe()}, as the index was "
                        f"built: {self.settings.image_embedder} could not load then "
                        "(rebuild the index once it can)"
                    )
                self._image_model = model
            return self._image_model

    def parse(self, text: str) -> ParsedQuery:
        return self.parser.parse(text)

    def search(
        self,
        text: str | None = None,
        photo: Path | bytes | PILImage | None = None,
        *,
        k: int | None = None,
        constraints: Constraints | None = None,
        exclude_sha256: str | None = None,
        override: bool = False,
    ) -> SearchResult:
        """Best products for a text, a photo, or both, under the constraints understood.

        ``constraints`` add to those the text states; with ``override`` they replace
        them (the app's filter controls, where the shopper may also clear one).
        """
        k = k or self.settings.k
        text = clean_text(text)[0] if text else None  # any caller, not only the assistant
        parsed = self.parser.parse(text) if text else None
        wanted = (parsed.constraints if parsed else Constraints()).merged(
            constraints or Constraints()
        )
        if override and constraints is not None:
            wanted = constraints
        hard, unmet, alternatives = self._hard_mask(wanted)
        signals, best_photo = self._signals(parsed, photo, exclude_sha256, hard)
        weights = WEIGHTS_PHOTO if "photo" in signals else WEIGHTS_TEXT
        relevance = sum(
            (weights.get(name, 0.0) * values for name, values in signals.items()),
            np.zeros(len(self.products)),
        )
        soft, labels = self._soft(wanted)
        if "photo" in signals and parsed is not None and not wanted.types:
            kind = self._photo_kind(signals["photo"], hard)
            if kind is not None:
                labels.append(kind)
                soft = soft + kind[1]
        if alternatives and wanted.price is not None:
            soft = soft + self._price_closeness(wanted.price, hard)
        score = soft + RELEVANCE_SPAN * relevance / max(sum(weights.values()), 1e-9)
        score = np.where(hard, score, -np.inf)
        order = [int(i) for i in np.argsort(-score, kind="stable")[:k] if np.isfinite(score[i])]
        hits = [
            Hit(
                product=self.products[i],
                score=float(score[i]),
                matched=tuple(label for label, mask in labels if mask[i]),
                image=self._image_for(i, wanted, best_photo.get(i)),
                signals={name: round(float(v[i]), 4) for name, v in signals.items()},
            )
            for i in order
        ]
        return SearchResult(
            hits=hits,
            constraints=wanted,
            query=parsed,
            unmet=tuple(unmet),
            alternatives=alternatives,
            notices=tuple(self.notices),
        )

    def _hard_mask(self, wanted: Constraints) -> tuple[np.ndarray, list[str], bool]:
        """(products meeting the hard constraints, unmet ones, whether any was relaxed).

        When nothing meets them, only the constraint that nothing meets is relaxed: no
        shoes under $20 gives other products under $20; no jackets under $5 gives
        jackets, the nearest in price first.
        """
        everything = np.ones(len(self.products), dtype=bool)
        kinds, unmet = self._type_mask(wanted)
        if wanted.price is None:
            return (kinds, unmet, False) if kinds.any() else (everything, unmet, True)
        low = -np.inf if wanted.price.low is None else wanted.price.low
        high = np.inf if wanted.price.high is None else wanted.price.high
        priced = (self.prices >= low) & (self.prices <= high + 1e-9)
        if (kinds & priced).any():
            return kinds & priced, unmet, False
        if kinds.any():
            unmet.append(f"price {_describe_range(low, high)}")
            return kinds, unmet, True
        return (priced if priced.any() else everything), unmet, True

    def _type_mask(self, wanted: Constraints) -> tuple[np.ndarray, list[str]]:
        """Products of the wanted types and scopes; a type nothing is of is unmet."""
        mask = np.ones(len(self.products), dtype=bool)
        unmet: list[str] = []
        type_sets = []
        for value in wanted.types:
            found = self._concept("type", value, "type") or self._concept("type", value, "name")
            if found:
                type_sets.append(found)
            else:
                unmet.append(value)
        if wanted.types and not type_sets:
            return np.zeros(len(self.products), dtype=bool), unmet
        if type_sets:
            both = set.intersection(*type_sets)
            mask &= self.facets.mask(both or set.union(*type_sets))
        for value in wanted.scopes:
            scoped = mask & self.facets.mask(self._concept("scope", value, "type"))
            if scoped.any():
                mask = scoped
        return mask, unmet

    def _price_closeness(self, price: PriceRange, candidates: np.ndarray) -> np.ndarray:
        """How near each price is to the range, 2 for the nearest candidate down to 0.

        Weighted above relevance (< 1), so relaxed-price alternatives come nearest first.
        """
        low = -np.inf if price.low is None else price.low
        high = np.inf if price.high is None else price.high
        distance = np.maximum(low - self.prices, 0) + np.maximum(self.prices - high, 0)
        near, far = distance[candidates].min(), distance[candidates].max()
        return 2.0 * (far - distance) / (far - near) if far > near else np.zeros_like(distance)

    def _concept(self, kind: str, value: str, group: str) -> set[int]:
        return self.facets.matching(group, self.lexicon.forms_of(kind, value, self.tokenizer))

    def _soft(self, wanted: Constraints) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
        """Count of soft constraints met per product, and a mask per constraint label."""
        requirements: list[tuple[str, np.ndarray]] = []
        for kind, values, group in (
            ("gender", wanted.genders, "gender"),
            ("color", wanted.colors, "color"),
            ("size", wanted.sizes, "size"),
        ):
            if values:
                found: set[int] = set()
                for value in values:
                    found |= self._concept(kind, value, group)
                requirements.append((f"{kind}: {'/'.join(values)}", self.facets.mask(found)))
        for term in wanted.terms:
            requirements.append((term, self.facets.mask(self._concept("term", term, "field"))))
        soft = np.zeros(len(self.products))
        for _, mask in requirements:
            soft += mask
        return soft, requirements

    def _signals(
        self,
        parsed: ParsedQuery | None,
        photo: Path | bytes | PILImage | None,
        exclude_sha256: str | None,
        candidates: np.ndarray,
    ) -> tuple[dict[str, np.ndarray], dict[int, int]]:
        """Each relevance signal scaled to [0, 1], and each product's best-matching photo."""
        n = len(self.products)
        signals: dict[str, np.ndarray] = {}
        best_photo: dict[int, int] = {}
        if parsed is not None:
            query = parsed.free_text or parsed.text
            vector = self.text_model.embed_texts([query], query=True)[0]
            signals["dense"] = _rescale(self._dense(vector, candidates), n)
            if parsed.keywords:
                signals["keyword"] = _scale_max(self.keywords.scores(parsed.keywords))
        if photo is not None:
            image = photo if isinstance(photo, PILImage) else open_photo(photo)
            vector = self.image_model().embed_images([image])[0]
            best, best_photo = self._photo(vector, exclude_sha256)
            signals["photo"] = _rescale(best, n)
        return signals, best_photo

    def _dense(self, vector: np.ndarray, candidates: np.ndarray) -> dict[int, float]:
        positions = np.flatnonzero(candidates)
        if len(positions) <= EXACT_CANDIDATES:
            scores = self.text_store.scores_for(vector, positions)
            return dict(zip(positions.tolist(), scores.tolist(), strict=True))
        scores, found = self.text_store.search(vector, POOL)
        return {int(p): float(s) for p, s in zip(found[0], scores[0], strict=True) if p >= 0}

    def _photo(
        self, vector: np.ndarray, exclude_sha256: str | None
    ) -> tuple[dict[int, float], dict[int, int]]:
        """Best photo similarity per product (max over its photos), and which photo it was."""
        scores, found = self.image_store.search(vector, min(len(self.image_store), POOL * 4))
        best: dict[int, float] = {}
        best_photo: dict[int, int] = {}
        for position, score in zip(found[0].tolist(), scores[0].tolist(), strict=True):
            if position < 0:
                continue
            if exclude_sha256 and self._image_meta[position]["sha256"] == exclude_sha256:
                continue
            product = int(self._image_product[position])
            if product not in best:
                best[product] = score
                best_photo[product] = position
        return best, best_photo

    def _photo_kind(
        self, photo: np.ndarray, candidates: np.ndarray
    ) -> tuple[str, np.ndarray] | None:
        """Products of the same kind as the photo's best match: "like this but in blue"
        should bring blue hoodies for a grey hoodie, before blue jackets and tanks.

        The kind is the leaf of the best match's first category; it counts as one more
        soft wish, so the words' wishes (a colour, a size) still rank above it.
        """
        scores = np.where(candidates, photo, -np.inf)
        best = int(np.argmax(scores))
        if not np.isfinite(scores[best]) or not self.products[best].categories:
            return None
        leaf = _leaf(self.products[best].categories[0])
        return f"like the photo: {leaf}", self._leaf_masks[leaf]

    @cached_property
    def _leaf_masks(self) -> dict[str, np.ndarray]:
        """Category leaf -> the products filed under it; built on the first photo + words
        query, not per query (it walks every product's categories)."""
        masks: dict[str, np.ndarray] = {}
        for i, product in enumerate(self.products):
            for leaf in {_leaf(c) for c in product.categories}:
                masks.setdefault(leaf, np.zeros(len(self.products), dtype=bool))[i] = True
        return masks

    def _image_for(self, i: int, wanted: Constraints, photo: int | None) -> Image | None:
        product = self.products[i]
        if wanted.colors:
            for color in wanted.colors:
                image = product.image_for(color)
                if image and image.color and image.color.casefold() == color.casefold():
                    return image
        if photo is not None:
            return product.image_for(self._image_meta[photo]["color"])
        return product.image_for()


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


def _leaf(category: str) -> str:
    """ "Women/Tops/Jackets" -> "Jackets"."""
    return category.split("/")[-1].strip()


def _describe(info: dict[str, Any]) -> str:
    return (
        f"{info['name']} ({info['model']}, version {info['version']}, {info['dim']}-d, "
        f"sha256 {str(info['sha256'])[:12]})"
    )


def _floor_price(product: Product) -> float:
    """The lowest price a shopper can pay for the product."""
    if product.price_range:
        return min(product.effective_price, product.price_range[0])
    return product.effective_price


def _rescale(scores: dict[int, float], n: int) -> np.ndarray:
    """Min-max scaling to [0, 1] over the scored products; unscored products get 0."""
    out = np.zeros(n)
    if not scores:
        return out
    positions = np.fromiter(scores, dtype=np.int64)
    values = np.fromiter(scores.values(), dtype=np.float64)
    low, high = values.min(), values.max()
    out[positions] = (values - low) / (high - low) if high > low else 1.0
    return out


def _scale_max(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values, dtype=np.float64)


def _describe_range(low: float, high: float) -> str:
    if np.isfinite(low) and np.isfinite(high):
        return f"{low:g} to {high:g}"
    return f"≤ {high:g}" if np.isfinite(high) else f"≥ {low:g}"
