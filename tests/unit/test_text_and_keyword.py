"""Tokenizer, stemmer and BM25 keyword index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.keyword import KeywordIndex
from index.text import Tokenizer, stem


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("hoodies", "hoody"),
        ("hoodie", "hoody"),
        ("watches", "watch"),
        ("pants", "pant"),
        ("dress", "dress"),
        ("dresses", "dress"),
        ("accessories", "accessory"),
        ("bus", "bus"),
        ("xs", "xs"),
        ("32", "32"),
    ],
)
def test_stem_folds_plurals_only(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_tokens_fold_width_case_and_split_chinese() -> None:
    tokenizer = Tokenizer(["连帽衫"])
    assert tokenizer.tokens("Women's T-Shirts ＵＳＢ") == ["women", "t", "shirt", "usb"]
    assert tokenizer.tokens("红色连帽衫") == ["红色", "连帽衫"]
    assert tokenizer.tokens("CoolTech™ Tee") == ["cooltech", "tee"]


def test_bm25_ranks_rarer_matching_terms_higher(tmp_path: Path) -> None:
    docs = [["red", "tee", "cotton"], ["blue", "tee"], ["red", "bag", "nylon", "red"], ["watch"]]
    index = KeywordIndex.build(docs)
    scores = index.scores(["red", "bag"])
    assert int(np.argmax(scores)) == 2
    assert scores[3] == 0 and scores[1] == 0
    assert scores[0] > 0
    index.save(tmp_path / "kw.npz")
    again = KeywordIndex.load(tmp_path / "kw.npz")
    assert np.allclose(again.scores(["red", "bag"]), scores)
    assert again.scores(["unknown"]).sum() == 0
