"""Hostile input through every door (issue 8): the Python API, both CLIs, the web handler.

A bad photo or an odd message must get a clear message and leave the chat going:
``Searcher`` raises ``BadInput``; ``Assistant`` answers "Sorry, I could not use that"
with a notice; ``python -m index search`` prints one ``error:`` line and exits 2;
``python -m assistant ask`` prints that answer and exits 0; the web page shows the
notice, and the next turn works. Each photo is made here, from bytes or from a demo
product's photo, so that an odd but readable photo must still find that product.
"""

from __future__ import annotations

import json
import re
import time
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from assistant.cli import main as ask_main
from assistant.engine import MAX_MESSAGE_CHARS, Assistant
from assistant.state import Conversation
from assistant.web import Session, WebChat
from index.cli import main as index_main
from index.errors import BadInput
from index.photos import MB
from index.search import Searcher
from index.settings import DEMO_CATALOG, Settings
from tests.unit.test_hostile_photos import bomb_png, encode

pytestmark = pytest.mark.slow

BAG_ID = "24-MB01"  # the Joust Duffle Bag
BAG = DEMO_CATALOG / "images" / "mb01-blue-0.jpg"
HOODIE = DEMO_CATALOG / "images" / "mh01-gray_main.jpg"  # another product, another look
SORRY = "Sorry, I could not use that: "


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, Any]]:
    lines = (DEMO_CATALOG / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["id"]: row for row in map(json.loads, lines)}


@pytest.fixture(scope="module")
def templated(demo_settings: Settings, demo_searcher: Searcher) -> Assistant:
    return Assistant(demo_settings.model_copy(update={"llm": "none"}), searcher=demo_searcher)


@pytest.fixture(scope="module")
def chat(templated: Assistant) -> WebChat:
    return WebChat(templated)


@pytest.fixture
def index_options(demo_settings: Settings, demo_searcher: Searcher) -> list[str]:
    """Options for both CLIs; ``demo_searcher`` has built the index they point at."""
    return ["--catalog", str(DEMO_CATALOG), "--index", str(demo_settings.index_dir), "--offline"]


@pytest.fixture
def ask_options(index_options: list[str]) -> list[str]:
    return [*index_options, "--llm", "none"]


def _ids(products: list[dict[str, Any]]) -> list[str]:
    return [p["product_id"] for p in products]


# -- photos that cannot be used ------------------------------------------------------------

# case -> what the message must say
BROKEN = {
    "corrupt": r"damaged",
    "zero bytes": r"empty \(0 bytes\)",
    "text renamed .jpg": r"not a photo",
    "decompression bomb": r"40 megapixels",
    "50 MB": r"50\.0 MB; the limit is 20 MB",
}


def _broken(case: str, folder: Path) -> Path:
    path = folder / ("bomb.png" if case == "decompression bomb" else "photo.jpg")
    if case == "50 MB":
        with path.open("wb") as file:
            file.truncate(50 * MB)  # sparse, so the test writes nothing to disk
        return path
    data = {
        "corrupt": BAG.read_bytes()[:4000],  # a real JPEG, cut short
        "zero bytes": b"",
        "text renamed .jpg": b"shopping list: socks, a duffle bag\n",
        "decompression bomb": bomb_png(40_000, 40_000),
    }[case]
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_photo_is_refused_by_the_searcher(
    case: str, demo_searcher: Searcher, tmp_path: Path
) -> None:
    with pytest.raises(BadInput, match=BROKEN[case]):
        demo_searcher.search("like this", _broken(case, tmp_path))


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_photo_gets_an_answer_that_says_why(
    case: str, templated: Assistant, tmp_path: Path
) -> None:
    conversation = Conversation()
    result = templated.ask("like this", conversation, photo=_broken(case, tmp_path))
    assert result.answer.startswith(SORRY) and re.search(BROKEN[case], result.answer)
    assert len(result.notices) == 1 and re.search(BROKEN[case], result.notices[0])
    assert result.products == []
    assert templated.ask("backpacks", conversation).products  # the chat goes on


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_photo_on_the_web_page(case: str, chat: WebChat, tmp_path: Path) -> None:
    session = Session()
    view = chat.turn("", [str(_broken(case, tmp_path))], [], session)
    assert re.search(BROKEN[case], view.notice) and not view.cards
    assert view.history[-1]["content"].startswith(SORRY)
    after = chat.turn("backpacks", [], view.history, session)
    assert after.cards and not after.notice


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_photo_on_the_command_line(
    case: str,
    index_options: list[str],
    ask_options: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    photo = str(_broken(case, tmp_path))
    assert index_main(["search", *index_options, "--image", photo]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and re.search(BROKEN[case], errors[0]), err
    assert "Traceback" not in err
    assert ask_main(["ask", *ask_options, "--image", photo]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(SORRY) and re.search(BROKEN[case], out[0])


# -- photos that are odd but readable -----------------------------------------------------

ODD = (
    "CMYK JPEG",
    "16-bit PNG",
    "palette PNG with transparency",
    "EXIF rotated 90°",
    "animated GIF",
    "animated WebP",
)


def _odd(case: str) -> tuple[bytes, str]:
    """The photo's bytes and its file suffix; all but the 16-bit one show the bag."""
    bag = Image.open(BAG).convert("RGB")
    hoodie = Image.open(HOODIE).convert("RGB")
    if case == "CMYK JPEG":
        return encode(bag.convert("CMYK"), "JPEG", quality=90), "jpg"
    if case == "16-bit PNG":
        levels = np.asarray(bag.convert("L"), dtype=np.uint16) * 257  # 0..65535
        return encode(Image.fromarray(levels), "PNG"), "png"
    if case == "palette PNG with transparency":
        palette = bag.quantize(255)
        colours = np.array(palette.getpalette()[: 255 * 3]).reshape(-1, 3)
        white = int(np.argmin(((colours - 255) ** 2).sum(axis=1)))  # the background
        return encode(palette, "PNG", transparency=white), "png"
    if case == "EXIF rotated 90°":
        exif = Image.Exif()
        exif[0x0112] = 6  # stored on its side; shown turned back upright
        turned = bag.transpose(Image.Transpose.ROTATE_90)
        return encode(turned, "JPEG", quality=90, exif=exif.tobytes()), "jpg"
    fmt = {"animated GIF": "GIF", "animated WebP": "WEBP"}[case]
    # The bag first, the hoodie second: the second frame would find the hoodie.
    return encode(bag, fmt, save_all=True, append_images=[hoodie]), fmt.lower()


def _first_found(case: str, searcher: Searcher) -> str:
    if case != "16-bit PNG":
        return BAG_ID
    # A grey photo finds grey things, not the blue bag: 16-bit must match its 8-bit self.
    grey = encode(Image.open(BAG).convert("L"), "PNG")
    return searcher.search(photo=grey).hits[0].product.id


@pytest.mark.parametrize("case", ODD)
def test_an_odd_photo_finds_its_product_through_every_door(
    case: str,
    demo_searcher: Searcher,
    templated: Assistant,
    chat: WebChat,
    index_options: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data, suffix = _odd(case)
    photo = tmp_path / f"photo.{suffix}"
    photo.write_bytes(data)
    expected = _first_found(case, demo_searcher)

    assert demo_searcher.search(photo=data).hits[0].product.id == expected
    result = templated.ask("", Conversation(), photo=photo)
    assert result.intent == "photo" and not result.notices
    assert _ids(result.products)[0] == expected
    view = chat.turn("", [str(photo)], [], Session())
    assert view.gallery and not view.notice and view.cards[0].product_id == expected
    assert index_main(["search", *index_options, "--json", "--image", str(photo)]) == 0
    assert json.loads(capsys.readouterr().out)["hits"][0]["product_id"] == expected


# -- messages ---------------------------------------------------------------------------


@pytest.mark.parametrize("message", ["", " \t\n\u3000\u00a0 "], ids=["empty", "whitespace"])
def test_an_empty_message_gets_help_not_a_search(
    message: str,
    templated: Assistant,
    chat: WebChat,
    demo_searcher: Searcher,
    ask_options: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = templated.ask(message, Conversation())
    assert result.intent == "help" and result.answer and not result.products
    assert demo_searcher.search(message).query is None  # blank text is not parsed or embedded
    view = chat.turn(message, [], [], Session())
    assert view.notice == "Type a question or add a photo." and view.history == []
    assert ask_main(["ask", *ask_options, message]) == 2
    assert capsys.readouterr().err == "error: give a message, --image PHOTO, or both\n"


LONG = ("backpack " * 11_112)[:100_000]
CUT = f"the message was cut to its first {MAX_MESSAGE_CHARS} characters"


def test_a_100000_character_message_is_cut_with_a_notice(
    templated: Assistant,
    chat: WebChat,
    ask_options: list[str],
    rows: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.perf_counter()
    result = templated.ask(LONG, Conversation())
    # Cut first: the whole message takes the text embedder about 45 s on two cores.
    assert time.perf_counter() - started < 10
    assert result.notices == [CUT]
    assert result.products and all(
        "Bags" in rows[p]["categories"][0] for p in _ids(result.products)
    )
    view = chat.turn(LONG, [], [], Session())
    assert view.notice == CUT and view.cards
    assert ask_main(["ask", *ask_options, "--json", LONG]) == 0
    assert json.loads(capsys.readouterr().out)["notices"] == [CUT]


CLEAN = "black jackets under $60"


@pytest.mark.parametrize(
    "message",
    [
        "black\x00 jackets\x07 under $60\x1b[0m",  # NUL, a bell, a terminal colour code
        "black\u00a0jackets\u3000under $60",  # no-break and ideographic spaces
        "black\r\njackets under\x0b$60",  # CR LF, a vertical tab
        "black jackets\udcff under $60",  # undecodable argv bytes (surrogateescape)
    ],
    ids=["nul-bell-escape", "odd-spaces", "crlf-vtab", "lone-surrogate"],
)
def test_control_characters_are_dropped_and_odd_spaces_still_part_words(
    message: str,
    templated: Assistant,
    chat: WebChat,
    ask_options: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean = templated.ask(CLEAN, Conversation())
    assert clean.facts["search"]["constraints"]["colors"] == ["black"]
    result = templated.ask(message, Conversation())
    assert result.facts["search"] == clean.facts["search"]
    assert result.products == clean.products and not result.notices
    view = chat.turn(message, [], [], Session())
    assert [c.product_id for c in view.cards] == _ids(clean.products)
    assert ask_main(["ask", *ask_options, message]) == 0
    assert capsys.readouterr().out.splitlines()[0] == clean.answer


def test_html_and_script_are_shown_as_text_on_the_web_page(
    templated: Assistant,
    chat: WebChat,
    ask_options: list[str],
    rows: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    message = "<script>alert('hi')</script> <b>backpacks</b> under $50"
    session = Session()
    view = chat.turn(message, [], [], session)
    assert view.history[0] == {"role": "user", "content": escape(message)}
    final = chat.phrase(view.history, session)
    said = [m["content"] for m in final.history]
    assert not any("<" in text for text in said)
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt;" in said[0]
    # The markup is not an instruction, but the words in it still count.
    result = templated.ask(message, Conversation())
    assert result.products and all(p["price"] <= 50 for p in result.products)
    assert all("Bags" in rows[p]["categories"][0] for p in _ids(result.products))
    assert [c.product_id for c in view.cards] == _ids(result.products)
    assert ask_main(["ask", *ask_options, message]) == 0
    assert capsys.readouterr().out.splitlines()[0] == result.answer


@pytest.mark.parametrize(
    ("message", "kind", "max_price"),
    [
        ("有没有 black backpacks under $50", "Bags", 50),
        ("我想要 women's jacket 100美元以下", "Jackets", 100),
    ],
)
def test_mixed_english_and_chinese(
    message: str,
    kind: str,
    max_price: int,
    templated: Assistant,
    chat: WebChat,
    ask_options: list[str],
    rows: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = templated.ask(message, Conversation())
    assert result.lang == "zh" and result.answer.startswith("为您找到")
    assert result.facts["search"]["constraints"]["price"]["max"] == max_price
    found = _ids(result.products)
    assert found and all(kind in rows[p]["categories"][0] for p in found)
    assert all(p["price"] <= max_price for p in result.products)
    assert [c.product_id for c in chat.turn(message, [], [], Session()).cards] == found
    assert ask_main(["ask", *ask_options, "--json", message]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["lang"] == "zh" and _ids(printed["products"]) == found


@pytest.mark.parametrize("message", ["🎒 backpacks please 👍", "backpacks 👩‍💻🇨🇳 please"])
def test_emoji_do_not_change_what_is_understood(
    message: str,
    templated: Assistant,
    chat: WebChat,
    ask_options: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    plain = templated.ask("backpacks please", Conversation())
    result = templated.ask(message, Conversation())
    assert result.facts["search"] == plain.facts["search"]
    assert set(_ids(result.products)) == set(_ids(plain.products))
    view = chat.turn(message, [], [], Session())
    assert view.history[0]["content"] == message  # shown as typed, emoji intact
    assert {c.product_id for c in view.cards} == set(_ids(plain.products))
    assert ask_main(["ask", *ask_options, message]) == 0
    assert capsys.readouterr().out.splitlines()[0] == result.answer


def test_a_lone_surrogate_reaches_the_searcher_safely(demo_searcher: Searcher) -> None:
    assert demo_searcher.search("black jackets \udcff").hits


def test_a_huge_query_is_cut_before_the_embedder(demo_searcher: Searcher) -> None:
    """Any caller of the Searcher, not only the assistant, gets the 2,000-character cut."""
    started = time.perf_counter()
    hits = demo_searcher.search("waterproof bag " * 10_000, k=3).hits
    assert hits and time.perf_counter() - started < 5
