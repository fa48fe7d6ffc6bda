"""One registry loader for every backend kind: names, choices, missing packages."""

from __future__ import annotations

import json

import pytest

from index.errors import IndexProblem, ModelUnavailable
from index.registry import INSTALL_FIX, resolve

REGISTRY = {"json": "json:loads", "ghost": "no_such_package_here.module:Thing"}


def test_a_registered_name_gives_its_attribute_imported_on_demand() -> None:
    assert resolve(REGISTRY, "json", what="parser") is json.loads


def test_an_unknown_name_lists_every_choice_including_the_callers_own() -> None:
    with pytest.raises(IndexProblem) as caught:
        resolve(REGISTRY, "yaml", what="vector store", error=IndexProblem, also=["none"])
    assert str(caught.value) == ("unknown vector store 'yaml'; choose one of: ghost, json, none")


def test_a_missing_package_names_it_and_the_install_step() -> None:
    with pytest.raises(ModelUnavailable) as caught:
        resolve(REGISTRY, "ghost", what="embedder", error=ModelUnavailable)
    assert "embedder 'ghost' needs a package that is not installed" in str(caught.value)
    assert "no_such_package_here" in str(caught.value)
    assert caught.value.fix == INSTALL_FIX


def test_an_error_type_without_a_fix_gets_the_message_alone() -> None:
    with pytest.raises(LookupError) as caught:
        resolve(REGISTRY, "ghost", what="parser", error=LookupError)
    assert str(caught.value).startswith("parser 'ghost' needs a package that is not installed")
    assert "fix" not in str(caught.value)
