"""Vector stores: a small protocol, FAISS behind it by default.

Vectors are L2-normalised float32 compared by inner product. Exact search
(``IndexFlatIP``) serves any shop's catalog comfortably; above
``settings.exact_search_max`` vectors an HNSW graph takes over (see
benchmarks for its recall@10 against exact search). The raw matrix is kept next to
the FAISS file so that filtered searches can score a candidate subset exactly and
an incremental build can reuse unchanged vectors.

A distributed engine is another class with ``VectorStore``'s methods, named in
``STORES`` and chosen by ``settings.vector_store``; the build and search reach a
store only through ``store_class``, so the rest of the code never imports faiss.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol, Self

import numpy as np

from .errors import IndexProblem
from .registry import resolve

log = logging.getLogger(__name__)

# One FAISS thread: searches here are single queries, and FAISS's idle OpenMP workers
# otherwise spin and starve the embedders' own threads (measured: a 15 ms e5 query
# took 1.7 s after one multi-threaded FAISS search on two cores).
FAISS_THREADS = 1
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


class VectorStore(Protocol):
    """What the build and search need from a vector engine.

    A backend is a class: ``build`` makes a store from a catalog's vectors, ``load``
    opens a saved one, and ``stored_vectors`` reads back a saved store's rows without
    opening its index, so an incremental build can reuse them.
    """

    kind: str

    @classmethod
    def build(cls, vectors: np.ndarray, exact_max: int) -> Self:
        """A store over ``vectors``; above ``exact_max`` rows it may search approximately."""
        ...

    @classmethod
    def load(cls, folder: Path, name: str, exact_max: int) -> Self:
        """The store saved as ``name`` in ``folder``; IndexProblem if it is unreadable."""
        ...

    @classmethod
    def stored_vectors(cls, folder: Path, name: str) -> np.ndarray:
        """The rows saved as ``name``, in order; OSError or ValueError if unreadable."""
        ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, positions) of the k best rows per query; -1 positions pad."""
        ...

    def scores_for(self, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Exact inner products of one query with the given rows."""
        ...

    def save(self, folder: Path, name: str) -> None: ...

    def __len__(self) -> int: ...


class FaissStore:
    """FAISS exact or HNSW index plus the float32 matrix it was built from."""

    def __init__(self, vectors: np.ndarray, exact_max: int, index: object | None = None) -> None:
        import faiss

        faiss.omp_set_num_threads(FAISS_THREADS)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = self.vectors.shape
        if index is None:
            if n > exact_max:
                index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            else:
                index = faiss.IndexFlatIP(dim)
            if n:
                index.add(self.vectors)
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = HNSW_EF_SEARCH
            self.kind = f"faiss-hnsw{HNSW_M}"
        else:
            self.kind = "faiss-flat"
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, exact_max: int) -> FaissStore:
        return cls(vectors, exact_max)

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, len(self)))
        if not len(self):
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        scores, positions = self._index.search(queries, k)  # type: ignore[attr-defined]
        return scores, positions

    def scores_for(self, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
        return self.vectors[positions] @ np.asarray(query, dtype=np.float32).ravel()

    def save(self, folder: Path, name: str) -> None:
        import faiss

        np.save(folder / f"{name}.npy", self.vectors)
        faiss.write_index(self._index, str(folder / f"{name}.faiss"))  # type: ignore[call-overload]

    @classmethod
    def load(cls, folder: Path, name: str, exact_max: int) -> FaissStore:
        import faiss

        try:
            vectors = cls.stored_vectors(folder, name)
            index = faiss.read_index(str(folder / f"{name}.faiss"))
        except (OSError, ValueError, RuntimeError) as error:
            raise IndexProblem(
                f"the {name} vectors in {folder} are unreadable ({error})"
            ) from error
        if index.ntotal != len(vectors):
            raise IndexProblem(f"the {name} index in {folder} is truncated")
        return cls(vectors, exact_max, index)

    @classmethod
    def stored_vectors(cls, folder: Path, name: str) -> np.ndarray:
        return np.load(folder / f"{name}.npy", allow_pickle=False)


STORES: dict[str, str] = {"faiss": "index.vectors:FaissStore"}


def store_class(name: str) -> type[VectorStore]:
    """The vector-store class registered as ``name`` (``settings.vector_store``)."""
    store: type[VectorStore] = resolve(STORES, name, what="vector store", error=IndexProblem)
    return store
