"""BM25 keyword index over product text, stored as CSR arrays.

Dense vectors blur exact words (a model name, a material, "TSA"); BM25 keeps them.
Documents are token lists from ``text.Tokenizer``, so Chinese catalog text is
segmented by jieba and English is plural-folded, the same way queries are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75


class KeywordIndex:
    """Okapi BM25 with postings as a CSR matrix: term rows, document columns."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        doc_ids: np.ndarray,
        weights: np.ndarray,
        n_docs: int,
    ) -> None:
        self.vocabulary = vocabulary
        self._indptr = indptr
        self._doc_ids = doc_ids
        self._weights = weights
        self.n_docs = n_docs

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> KeywordIndex:
        """Index token lists; each term's weight per document is its BM25 term score."""
        n_docs = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        average = float(lengths.mean()) if n_docs else 1.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc, tokens in enumerate(documents):
            for term, count in Counter(tokens).items():
                postings.setdefault(term, []).append((doc, count))
        vocabulary = {term: row for row, term in enumerate(sorted(postings))}
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        doc_ids: list[int] = []
        weights: list[float] = []
        for term, row in vocabulary.items():
            entries = postings[term]
            idf = np.log(1 + (n_docs - len(entries) + 0.5) / (len(entries) + 0.5))
            for doc, count in entries:
                norm = count + K1 * (1 - B + B * lengths[doc] / max(average, 1e-6))
                doc_ids.append(doc)
                weights.append(float(idf * count * (K1 + 1) / norm))
            indptr[row + 1] = len(doc_ids)
        return cls(
            vocabulary,
            indptr,
            np.array(doc_ids, dtype=np.int32),
            np.array(weights, dtype=np.float32),
            n_docs,
        )

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (zeros where none match)."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term in set(tokens):
            row = self.vocabulary.get(term)
            if row is None:
                continue
            start, end = self._indptr[row], self._indptr[row + 1]
            np.add.at(out, self._doc_ids[start:end], self._weights[start:end])
        return out

    def save(self, path: Path) -> None:
        terms = "\x00".join(sorted(self.vocabulary, key=self.vocabulary.__getitem__))
        with path.open("wb") as handle:
            np.savez(
                handle,
                terms=np.frombuffer(terms.encode(), dtype=np.uint8),
                indptr=self._indptr,
                doc_ids=self._doc_ids,
                weights=self._weights,
                n_docs=np.array([self.n_docs]),
            )

    @classmethod
    def load(cls, path: Path) -> KeywordIndex:
        with np.load(path, allow_pickle=False) as data:
            text = data["terms"].tobytes().decode()
            terms = text.split("\x00") if text else []
            return cls(
                {t: i for i, t in enumerate(terms)},
                data["indptr"],
                data["doc_ids"],
                data["weights"],
                int(data["n_docs"][0]),
            )
