"""``python -m assistant eval``: the figures a shop reads, on the demo and on its own catalog."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from index.evaluation import ndcg
from index.search import Searcher
from index.settings import DEMO_CATALOG, Settings


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def demo(demo_settings: Settings, demo_searcher: Searcher) -> list[str]:
    return ["--catalog", str(DEMO_CATALOG), "--index", str(demo_settings.index_dir), "--offline"]


def test_search_eval_compares_the_three_modes(
    demo: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = _json(
        capsys,
        ["eval", "search", *demo, "--queries", str(DEMO_CATALOG / "dev_queries.jsonl"), "--json"],
    )
    assert out["queries"] == len(out["per_query"]) == 40
    modes = out["modes"]
    assert set(modes) == {"keyword", "vector", "hybrid"}
    assert out["ndcg@10"] == modes["hybrid"]["all"]["ndcg@10"]
    assert modes["hybrid"]["all"]["ndcg@10"] > modes["vector"]["all"]["ndcg@10"] + 0.1
    assert modes["hybrid"]["zh"]["n"] == 8 and modes["hybrid"]["en"]["n"] == 32
    first = out["per_query"][0]
    labels = json.loads((DEMO_CATALOG / "dev_queries.jsonl").read_text().splitlines()[0])
    grades = {k: float(v) for k, v in labels["relevant"].items()}
    assert first["hybrid"]["ndcg@10"] == round(ndcg(first["hybrid"]["ranked"], grades), 4)
    assert (
        main(["eval", "search", *demo, "--queries", str(DEMO_CATALOG / "dev_queries.jsonl")]) == 0
    )
    table = capsys.readouterr().out
    assert "nDCG@10" in table and "hybrid" in table and "keyword" in table


def test_search_eval_on_a_shops_own_catalog(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = tmp_path / "labels.jsonl"
    rows = [
        {"qid": "q1", "query": "backpack", "relevant": {"B1": 3}},
        {"qid": "q2", "query": "wool tee for women", "relevant": {"T2": 3, "T1": 1}},
        {"qid": "q3", "query": "红色的T恤", "relevant": {"T1": 3}},
        # things the shop does not sell: no product to rank, so no nDCG of 0 for them
        {"qid": "q4", "query": "garden hose", "relevant": {}},
        {"qid": "q5", "query": "a sofa for the living room", "carried": False},
    ]
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    argv = ["--catalog", str(small_catalog), "--index", str(tmp_path / "idx"), "--offline"]
    out = _json(capsys, ["eval", "search", *argv, "--queries", str(labels), "--json"])
    assert out["queries"] == 5 and out["graded"] == 3 and out["modes"]["hybrid"]["zh"]["n"] == 1
    ranked = [q["hybrid"]["ranked"][0] for q in out["per_query"] if "hybrid" in q]
    assert ranked == ["B1", "T2", "T1"]
    assert out["mrr"] == 1.0 and out["ndcg@10"] == out["modes"]["hybrid"]["all"]["ndcg@10"]
    carried = out["carried"]["all"]
    assert (carried["carried"], carried["not_carried"]) == (3, 2)
    said = {q["qid"]: q["said_carried"] for q in out["per_query"]}
    assert carried["answered_as_match"] == said["q4"] + said["q5"]
    assert carried["refused"] == 3 - said["q1"] - said["q2"] - said["q3"]
    assert main(["eval", "search", *argv, "--queries", str(labels)]) == 0
    assert "answered as a match" in capsys.readouterr().out
    labels.write_text(json.dumps({"qid": "q9", "query": "tee"}), "utf-8")
    assert main(["eval", "search", *argv, "--queries", str(labels)]) == 2
    assert "missing relevant (or carried)" in capsys.readouterr().err


def test_photo_eval_with_colour_and_perturbations(
    demo: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _json(
        capsys,
        [
            "eval",
            "photos",
            *demo,
            "--queries",
            str(DEMO_CATALOG / "dev_photo_queries.jsonl"),
            "--json",
        ],
    )
    conditions = out["conditions"]
    assert set(conditions) == {"as taken", "crop", "rotation", "blur", "jpeg", "background"}
    taken = conditions["as taken"]
    assert taken["product"]["recall@1"] >= 0.8 and taken["product"]["n"] == 30
    assert taken["product_and_colour"]["recall@5"] <= taken["product"]["recall@5"]
    assert len(out["per_query"]) == 30 * 6
    # A query file elsewhere: its photo resolves against that file's folder first.
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    shutil.copy(DEMO_CATALOG / "images" / "mh01-gray_main.jpg", elsewhere / "my-hoodie.jpg")
    queries = elsewhere / "q.jsonl"
    queries.write_text(
        json.dumps({"qid": "p1", "file": "my-hoodie.jpg", "product_id": "MH01", "color": "Gray"})
    )
    own = _json(
        capsys, ["eval", "photos", *demo, "--queries", str(queries), "--json", "--no-perturb"]
    )
    # its own bytes are left out; the hoodie's other photos still find it
    assert own["per_query"][0]["rank"] is not None


def test_answer_eval_reads_a_question_file(
    demo: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.jsonl"
    assert main(["eval", "questions", *demo, "--per-kind", "1", "--out", str(questions)]) == 0
    capsys.readouterr()
    lines = questions.read_text("utf-8").splitlines()
    assert len(lines) == 14 and {json.loads(x)["kind"] for x in lines} >= {"price", "reference"}
    out = _json(
        capsys, ["eval", "answers", *demo, "--llm", "none", "--questions", str(questions), "--json"]
    )
    assert (out["right"], out["asked"], out["unsupported_amounts"]) == (14, 14, 0)
    assert out["by_language"]["zh"]["asked"] == 7
    # A wrong expectation is caught: the judge is not a rubber stamp.
    price = next(json.loads(x) for x in lines if json.loads(x)["kind"] == "price")
    price["expect"]["price"] = "1.00"
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(json.dumps(price, ensure_ascii=False), "utf-8")
    out = _json(
        capsys, ["eval", "answers", *demo, "--llm", "none", "--questions", str(wrong), "--json"]
    )
    assert out["right"] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("not json", "not JSON lines"), ('{"qid": "x"}', "missing query")],
)
def test_a_bad_labelled_file_is_one_clear_line(
    demo: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    labels = tmp_path / "labels.jsonl"
    if content is not None:
        labels.write_text(content)
    assert main(["eval", "search", *demo, "--queries", str(labels)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
