"""The query parser: constraints from English and Chinese words, in a catalog's vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.catalog import load_catalog
from index.facets import FacetIndex
from index.query import Constraints, Lexicon, QueryParser
from index.text import Tokenizer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I'm looking for a blue jacket for men",
            {"types": ["jacket"], "genders": ["men"], "colors": ["blue"]},
        ),
        (
            "我想买一件黄色的女士连帽衫",
            {"types": ["hoodie"], "genders": ["women"], "colors": ["yellow"]},
        ),
        ("cheap men's black t-shirts", {"types": ["tee"], "genders": ["men"], "colors": ["black"]}),
        (
            "any women's striped tank tops?",
            {"types": ["tank"], "genders": ["women"], "terms": ["striped"]},
        ),
        (
            "高性能面料的女士夹克",
            {"types": ["jacket"], "genders": ["women"], "terms": ["performance_fabric"]},
        ),
        ("打折的女士短裤", {"types": ["shorts"], "genders": ["women"], "terms": ["sale"]}),
        ("bag for overnight trips", {"types": ["bag"], "terms": ["overnight", "travel"]}),
        ("what gear do you have for yoga?", {"scopes": ["gear"], "terms": ["yoga"]}),
        ("hoodie in size XL", {"types": ["hoodie"], "sizes": ["XL"]}),
        ("shorts 32 waist", {"types": ["shorts"], "sizes": ["32"]}),
        ("lavender tee", {"types": ["tee"], "colors": ["lavender"]}),
    ],
)
def test_constraints_are_read_from_both_languages(
    parser: QueryParser, text: str, expected: dict
) -> None:  # type: ignore[type-arg]
    assert parser.parse(text).constraints.to_dict() == expected


def test_catalog_words_not_in_the_lexicon_become_terms(parser: QueryParser) -> None:
    # "microfiber" and "windbreaker"-style words come from the catalog's own attributes.
    parsed = parser.parse("microfiber quarter zip")
    assert "microfiber" in parsed.constraints.terms


def test_prices_are_cut_out_of_the_keywords(parser: QueryParser) -> None:
    parsed = parser.parse("红色连帽衫 50美元以下")
    assert parsed.constraints.price is not None and parsed.constraints.price.high == 50
    assert parsed.lang == "zh"
    assert "50" not in parsed.keywords and "hoody" in parsed.keywords and "red" in parsed.keywords


def test_stopwords_and_punctuation_are_not_keywords(parser: QueryParser) -> None:
    parsed = parser.parse("do you have anything, please?")
    assert parsed.keywords == ()
    assert parsed.constraints == Constraints()


def test_explicit_constraints_override_parsed_ones(parser: QueryParser) -> None:
    parsed = parser.parse("red hoodie").constraints
    merged = parsed.merged(Constraints(colors=("blue",)))
    assert merged.colors == ("blue",) and merged.types == ("hoodie",)


def test_parser_reads_any_catalog(tmp_path: Path, small_catalog: Path) -> None:
    raw = Lexicon.read()
    tokenizer = Tokenizer(Lexicon.words(raw))
    facets = FacetIndex(load_catalog(small_catalog).products, tokenizer)
    parser = QueryParser(Lexicon(raw, tokenizer), facets, tokenizer)
    parsed = parser.parse("nylon backpack for hiking")
    assert parsed.constraints.types == ("backpack",)
    assert "nylon" in parsed.constraints.terms
