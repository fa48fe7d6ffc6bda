"""Hybrid product search: constraints filter and rank, vectors and keywords order the rest.

A result's score is ``soft + relevance``: ``soft`` counts the soft constraints the
product meets (gender, colour, size, each term), ``relevance`` in [0, 1) blends
dense text similarity, BM25 and, for a photo, the best visual match among the
product's photos. Products failing a hard constraint (type, price range) are left
out; when nothing is left, the nearest products are returned flagged as
alternatives with the unmet constraint named, which is how "not in our catalog"
is decided by code rather than by a language model.

The parts live apart: ``opening.py`` opens (or repairs, or builds) the index,
``masks.py`` turns constraints into masks over the products, ``relevance.py``
scores them; this module blends the two into the hits.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL.Image import Image as PILImage

from . import glossary
from .catalog import Catalog, load_catalog
from .embedders.base import ImageEmbedder, TextEmbedder, text_embedder
from .facets import FacetIndex
from .kinds import CatalogKinds, RequestReader
from .masks import ConstraintMasks
from .opening import open_index, photo_embedder
from .query import Constraints, Lexicon, ParsedQuery, QueryParser
from .records import Image, Product
from .relevance import Relevance
from .settings import Settings
from .text import Tokenizer, clean_text

log = logging.getLogger(__name__)

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
    # the item asked for, in the shopper's words, when the catalog has no such kind
    not_carried: str | None = None
    # how many soft wishes (gender, colour, size, terms, the photo's kind) were asked
    wishes: int = 0

    def match(self, hit: Hit) -> str:
        """``alternative`` (not what was asked), ``exact`` (every wish met) or ``partial``."""
        if self.alternatives:
            return "alternative"
        return "exact" if len(hit.matched) >= self.wishes else "partial"

    def to_dict(self) -> dict[str, Any]:
        """The result as ``index search --json`` prints it."""
        return {
            "carried": self.carried,
            "not_carried": self.not_carried,
            "unmet": list(self.unmet),
            "understood": self.constraints.to_dict(),
            "hits": [hit.to_dict() | {"match": self.match(hit)} for hit in self.hits],
        }

    @property
    def carried(self) -> bool:
        """Whether the hits are matches, not alternatives to something the shop lacks."""
        return not self.alternatives


class Searcher:
    """Loads a catalog and its index once; answers text, photo and combined queries.

    The embedders are built from the settings unless given: ``text_model`` must be the
    one the index was built with, and ``image_model`` the one its photos were embedded
    by (a rebuild embeds them with it).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        catalog: Catalog | None = None,
        progress: bool = True,
        text_model: TextEmbedder | None = None,
        image_model: ImageEmbedder | None = None,
    ) -> None:
        self.settings = settings
        self.catalog = catalog or load_catalog(settings.catalog, csv_mapping=settings.csv_mapping)
        raw = Lexicon.read()
        self.tokenizer = Tokenizer(Lexicon.words(raw))
        self.lexicon = Lexicon(raw, self.tokenizer)
        self.text_model = text_model if text_model is not None else text_embedder(settings)
        self._given_image_model = image_model
        self._image_model: ImageEmbedder | None = None
        self._image_lock = threading.Lock()
        self.index_dir = settings.resolved_index_dir()
        opened = open_index(
            settings,
            self.catalog,
            tokenizer=self.tokenizer,
            text_model=self.text_model,
            image_model=image_model,
            progress=progress,
        )
        self.notices = list(opened.notices)
        self.manifest = opened.manifest
        self.text_store, self.image_store = opened.text_store, opened.image_store
        self.keywords = opened.keywords
        self._image_meta = opened.images
        self.products = self.catalog.products
        self.facets = FacetIndex(self.products, self.tokenizer)
        self.parser = QueryParser(self.lexicon, self.facets, self.tokenizer)
        self.reader = RequestReader(self.lexicon, raw, self.tokenizer)
        glossary.warm()
        self.kinds = CatalogKinds(self.products, self.reader, self.lexicon, self.tokenizer)
        self.masks = ConstraintMasks(self.products, self.facets, self.lexicon, self.tokenizer)
        self.relevance = Relevance(opened, self.text_model, self.image_model)
        log.info(
            "search ready: %d products, text %s, image %s, %s",
            len(self.products),
            self.text_model.info.describe(),
            self.manifest["embedders"]["image"]["name"],
            self.text_store.kind,
        )

    def image_model(self) -> ImageEmbedder:
        """The photo embedder the index was built with, loaded once on first use."""
        with self._image_lock:
            if self._image_model is None:
                model, notice = photo_embedder(
                    self.settings, self.manifest, self._given_image_model
                )
                if notice:
                    log.warning("%s", notice)
                    self.notices.append(notice)
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
        hard, unmet, alternatives = self.masks.hard(wanted)
        lacking = self._not_carried(text) if photo is None and not override else None
        if lacking is not None:
            unmet, alternatives = [lacking], True
        signals, best_photo = self.relevance.signals(parsed, photo, exclude_sha256, hard)
        weights = WEIGHTS_PHOTO if "photo" in signals else WEIGHTS_TEXT
        relevance = sum(
            (weights.get(name, 0.0) * values for name, values in signals.items()),
            np.zeros(len(self.products)),
        )
        soft, labels = self.masks.soft(wanted)
        if "photo" in signals and parsed is not None and not wanted.types:
            kind = self.masks.photo_kind(signals["photo"], hard)
            if kind is not None:
                labels.append(kind)
                soft = soft + kind[1]
        if alternatives and wanted.price is not None:
            soft = soft + self.masks.price_closeness(wanted.price, hard)
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
            not_carried=lacking,
            wishes=len(labels),
        )

    def _not_carried(self, text: str | None) -> str | None:
        """The item a request names when this catalog sells no such kind (``kinds.py``)."""
        asked = self.reader.request(text) if text else None
        if asked is None:
            return None
        return None if self.kinds.carries(asked) else asked.phrase

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
