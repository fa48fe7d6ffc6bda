"""Reading the item a request asks for, and the kinds a catalog sells (index/kinds.py)."""

from __future__ import annotations

import pytest

from index.kinds import CatalogKinds, RequestReader
from index.query import Lexicon
from index.records import Product
from index.text import Tokenizer

RAW = Lexicon.read()
TOKENIZER = Tokenizer(Lexicon.words(RAW))
LEXICON = Lexicon(RAW, TOKENIZER)
READER = RequestReader(LEXICON, RAW, TOKENIZER)


@pytest.mark.parametrize(
    ("request_text", "words"),
    [
        ("shoe rack", ("shoe", "rack")),
        ("enclosed shoe rack", ("enclosed", "shoe", "rack")),
        ("towel rod", ("towel", "rod")),
        ("laptop bag", ("laptop", "bag")),
        ("bag for my laptop", ("bag",)),
        ("Do you sell laptops?", ("laptops",)),
        ("do you have navigation gear?", ("navigation",)),
        ("a pair of running socks", ("running", "socks")),
        ("set of 4 dining chairs", ("dining", "chairs")),
        ("cheap men's black t-shirts, max $30", ("t-shirts",)),
        ("women's slip-on clogs under $25", ("slip-on", "clogs")),
        ("looking for a wood bookcase", ("wood", "bookcase")),
        ("hoodie in size XL", ("hoodie",)),
        ("red jacket between 30 and 60 dollars", ("jacket",)),
        ("LED desk lamp for my office", ("led", "desk", "lamp")),
        ("bag for overnight trips", ("bag",)),
    ],
)
def test_the_head_item_of_a_request(request_text: str, words: tuple[str, ...]) -> None:
    asked = READER.request(request_text)
    assert asked is not None and asked.words == words
    assert asked.head == words[-1] and asked.modifiers == words[:-1]


@pytest.mark.parametrize(
    "request_text",
    [
        "in blue",
        "under $60",
        "the second one",
        "is it cheaper?",
        "any accessories?",
        "有什么推荐的东西吗",  # "thing": no kind to check
        "",
    ],
)
def test_requests_that_name_no_item_are_left_undecided(request_text: str) -> None:
    assert READER.request(request_text) is None


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("Wanderer Black Hiking Boots", "boots"),
        ("Executive Chair With Headrest", "chair"),
        ("Steel Storage Shelves, 65 x 55 in.", "shelves"),
        ("15- Inch POS Touch Screen Monitor With Card Reader", "monitor"),
        ("Olivia 1/4 Zip Light Jacket", "jacket"),
        ("Women’s Slip-On Clog", "clog"),
    ],
)
def test_the_item_a_product_name_names(name: str, head: str) -> None:
    asked = READER.name(name)
    assert asked is not None and asked.head == head


@pytest.mark.parametrize(
    ("request_text", "word", "reading"),
    [
        ("黑色拉带皮鞋女童", "皮鞋", "leather shoes"),  # 女童 says who it is for
        ("有睡袋吗?", "睡袋", "sleeping bag"),
        ("50美元以下的皮鞋", "皮鞋", "leather shoes"),
        ("我想买自行车头盔", "头盔", "helmet"),
        ("红色连帽衫", "连帽衫", "hoody"),  # through the lexicon's types (stemmed)
    ],
)
def test_the_head_item_of_a_chinese_request_and_its_english_readings(
    request_text: str, word: str, reading: str
) -> None:
    asked = READER.request(request_text)
    assert asked is not None and asked.phrase == word
    assert reading in {r.phrase for r in asked.readings}


def test_without_the_dictionary_chinese_requests_are_left_undecided(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from index import glossary

    monkeypatch.setattr(glossary, "_loaded", [None])  # as when the package is missing
    assert glossary.english("睡袋") == []
    assert READER.request("有睡袋吗?") is None
    assert READER.request("红色连帽衫") is not None  # the lexicon still reads its types


def _product(pid: str, name: str, category: str, **attributes: str) -> Product:
    return Product(
        id=pid, sku=pid, name=name, price=10.0, categories=(category,), attributes=attributes
    )


@pytest.fixture(scope="module")
def kinds() -> CatalogKinds:
    products = [
        _product("1", "Carbon Fiber Trekking Poles", "Trekking"),
        _product("2", "Powder Pro Skis", "Ski & boarding"),
        _product("3", "Trailblazer Bike Helmet", "Cycling"),
        _product("4", "Compete Track Tote", "Gear/Bags", activity="Gym"),
        _product("5", "Chaz Tee", "Men/Tops/Tees", material="Cotton"),
    ]
    return CatalogKinds(products, READER, LEXICON, TOKENIZER)


@pytest.mark.parametrize(
    ("request_text", "carried"),
    [
        ("trekking poles", True),
        ("poles", True),
        ("ski poles", False),  # skis and trekking poles, but no ski poles
        ("skis under $500", True),
        ("mountain bike", False),  # a bike helmet is not a bike
        ("bike helmet", True),
        ("helmets for cycling", True),
        ("gym bag", True),
        ("laptop bag", False),
        ("shoe rack", False),
        ("white t-shirt for men", True),  # the lexicon's synonym of the catalog's Tees
        ("cotton tee", True),
        ("led nightstand", False),
        ("我想买自行车头盔", True),
        ("有睡袋吗?", False),
        ("滑雪杖", False),  # ski poles
        ("POS收银机", False),
    ],
)
def test_carried_when_the_head_is_a_kind_and_its_modifiers_fit(
    kinds: CatalogKinds, request_text: str, carried: bool
) -> None:
    asked = READER.request(request_text)
    assert asked is not None
    assert kinds.carries(asked) is carried
