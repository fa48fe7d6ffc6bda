"""``python -m assistant eval search|photos|answers|questions``: measure on any catalog.

Each command prints a readable table, or with ``--json`` one JSON object (figures
first, then the per-query results) for scripts and dashboards. The labelled files
are JSON lines; docs/evaluation.md shows how a shop writes its own.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from index.cli import add_command, settings_from_args
from index.errors import ShopError
from index.evaluation import (
    MODES,
    carried_figures,
    evaluate_carried,
    evaluate_text,
    is_graded,
    mean,
    read_jsonl,
)
from index.photo_eval import PERTURBATIONS, evaluate_photos, photo_metrics
from index.search import Searcher

from ..settings import AssistantSettings

LANGS = ("all", "en", "zh")


class EvalInputError(ShopError):
    """A labelled file that cannot be read."""


def add_eval_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_llm_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """The ``eval`` command and its four subcommands, under ``python -m assistant``."""
    evaluate = commands.add_parser("eval", help="measure search, photos or answers")
    kinds = evaluate.add_subparsers(required=True, metavar="WHAT")
    search = add_command(kinds, "search", "nDCG@10, Recall@10, MRR by retrieval mode", _search)
    photos = add_command(kinds, "photos", "photo Recall@1/@5, MRR, with perturbations", _photos)
    answers = add_command(
        kinds, "answers", "answer accuracy per kind and language", _answers, add_llm_options
    )
    questions = add_command(kinds, "questions", "write a question file for a catalog", _questions)
    for parser in (search, photos):
        parser.add_argument("--queries", type=Path, required=True, help="labelled JSONL file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
    search.add_argument("--k", type=int, default=10, help="cut-off (default 10)")
    photos.add_argument("--no-perturb", action="store_true", help="only the photos as taken")
    answers.add_argument(
        "--questions", type=Path, help="question JSONL (default: generated from the catalog)"
    )
    answers.add_argument("--json", action="store_true", help="print one JSON object")
    questions.add_argument("--seed", type=int, default=0)
    questions.add_argument("--per-kind", type=int, default=12, help="per kind and language")
    questions.add_argument("--out", type=Path, help="write here (default: standard output)")


def _labelled(path: Path, required: Sequence[str]) -> list[dict[str, Any]]:
    try:
        rows = read_jsonl(path)
    except FileNotFoundError:
        raise EvalInputError(f"no such file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise EvalInputError(f"{path} is not JSON lines: {error}") from None
    for number, row in enumerate(rows, 1):
        missing = [key for key in required if key not in row]
        if missing:
            raise EvalInputError(f"{path}, line {number}: missing {', '.join(missing)}")
    if not rows:
        raise EvalInputError(f"{path} holds no queries")
    return rows


# -- search ---------------------------------------------------------------------------


def _search(args: argparse.Namespace) -> int:
    queries = _labelled(args.queries, ("qid", "query"))
    for number, row in enumerate(queries, 1):
        if "relevant" not in row and "carried" not in row:
            raise EvalInputError(f"{args.queries}, line {number}: missing relevant (or carried)")
    searcher = Searcher(settings_from_args(args, AssistantSettings), progress=not args.json)
    figures: dict[str, dict[str, dict[str, float]]] = {}
    per_query: dict[str, dict[str, Any]] = {
        q["qid"]: {"qid": q["qid"], "query": q["query"]} for q in queries
    }
    decisions = evaluate_carried(searcher, queries)
    carried = {
        lang: carried_figures([d for d in decisions if lang in ("all", d.lang)]) for lang in LANGS
    }
    for d in decisions:
        per_query[d.qid].update(lang=d.lang, carried=d.carried, said_carried=d.said_carried)
    graded = sum(map(is_graded, queries))
    for mode in MODES:
        scores = evaluate_text(searcher, queries, k=args.k, mode=mode)
        figures[mode] = {}
        for lang in LANGS:
            chosen = [s for s in scores if lang in ("all", s.lang)]
            figures[mode][lang] = {
                f"ndcg@{args.k}": mean([s.ndcg for s in chosen]),
                f"recall@{args.k}": mean([s.recall for s in chosen]),
                "mrr": mean([s.mrr for s in chosen]),
                "n": len(chosen),
            }
        for s in scores:
            per_query[s.qid]["lang"] = s.lang
            per_query[s.qid][mode] = {
                f"ndcg@{args.k}": round(s.ndcg, 4),
                f"recall@{args.k}": round(s.recall, 4),
                "mrr": round(s.mrr, 4),
                "ranked": list(s.ranked),
            }
    if args.json:
        out = {"catalog": str(searcher.settings.catalog), "queries": len(queries), "k": args.k}
        out["graded"] = graded
        out.update(figures["hybrid"]["all"])
        out["modes"] = figures
        out["carried"] = carried
        out["per_query"] = list(per_query.values())
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    counts = carried
    print(
        f"search: {len(queries)} queries ({_count(counts['en'])} en, {_count(counts['zh'])} zh) "
        f"on {searcher.settings.catalog}, k={args.k}; {graded} with graded products"
    )
    names = [f"nDCG@{args.k}", f"Recall@{args.k}", "MRR"]
    if graded:
        print(f"{'mode':<9}{'lang':<5}" + "".join(f"{name:>11}" for name in names))
    for mode in MODES if graded else ():
        for lang in LANGS:
            row = figures[mode][lang]
            if not row["n"]:
                continue
            values = [row[f"ndcg@{args.k}"], row[f"recall@{args.k}"], row["mrr"]]
            label = mode if lang == "all" else ""
            print(f"{label:<9}{lang:<5}" + "".join(f"{v:>11.3f}" for v in values))
    print(
        "keyword: BM25 alone (query words through the lexicon, so Chinese too); vector: e5 "
        "alone; hybrid: the app's search (both, with constraints and facets)"
    )
    print("carried?  lang  not carried, answered as a match   carried, refused")
    for lang in LANGS:
        row = carried[lang]
        if _count(row):
            print(
                f"{'':<10}{lang:<6}"
                f"{_share(row['answered_as_match'], row['not_carried']):>31}"
                f"{_share(row['refused'], row['carried']):>19}"
            )
    return 0


def _count(row: dict[str, float]) -> int:
    return int(row["not_carried"] + row["carried"])


def _share(part: float, whole: float) -> str:
    return f"{int(part)}/{int(whole)} ({part / whole:.0%})" if whole else "-"


# -- photos ---------------------------------------------------------------------------


def _photos(args: argparse.Namespace) -> int:
    queries = _labelled(args.queries, ("qid", "file", "product_id"))
    searcher = Searcher(settings_from_args(args, AssistantSettings), progress=not args.json)
    conditions = ["as taken"] if args.no_perturb else list(PERTURBATIONS)
    scores = evaluate_photos(searcher, queries, args.queries.parent, conditions=conditions)
    figures = {
        condition: {
            "product": photo_metrics([s for s in scores if s.condition == condition]),
            "product_and_colour": photo_metrics(
                [s for s in scores if s.condition == condition], by_color=True
            ),
        }
        for condition in conditions
    }
    if args.json:
        out: dict[str, Any] = {"catalog": str(searcher.settings.catalog), "queries": len(queries)}
        out.update(figures["as taken"]["product"])
        out["conditions"] = figures
        out["per_query"] = [
            {"qid": s.qid, "condition": s.condition, "rank": s.rank, "colour_rank": s.color_rank,
             "ranked": list(s.ranked)}
            for s in scores
        ]  # fmt: skip
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    model = searcher.manifest["embedders"]["image"]["name"]
    print(f"photos: {len(queries)} queries on {searcher.settings.catalog}, leave-one-out, {model}")
    heads = ("by product: R@1   R@5   MRR", "and colour: R@1   R@5   MRR")
    print(f"{'condition':<12}{heads[0]:>30}{heads[1]:>31}")
    for condition in conditions:
        cells = []
        for key in ("product", "product_and_colour"):
            m = figures[condition][key]
            cells.append(f"{m['recall@1']:>13.2f}{m['recall@5']:>6.2f}{m['mrr']:>6.2f}")
        print(f"{condition:<12}{cells[0]:>30}{cells[1]:>31}")
    return 0


# -- answers --------------------------------------------------------------------------


def _answers(args: argparse.Namespace) -> int:
    from ..engine import Assistant
    from .answers.outcome import run
    from .answers.questions import generate, read_questions
    from .answers.report import report, summary
    from .answers.shop import Shop

    # Engine warnings (a template failing its own check) are counted in the report instead.
    logging.getLogger("assistant").setLevel(logging.ERROR)
    settings = settings_from_args(args, AssistantSettings)
    shop = Shop.load(settings.catalog)
    if args.questions:
        try:
            questions = read_questions(args.questions)
        except (OSError, ValueError, KeyError) as error:
            raise EvalInputError(f"cannot read {args.questions}: {error}") from None
    else:
        questions = generate(shop, seed=0)
    assistant = Assistant(settings)
    outcomes = [run(assistant, shop, q) for q in questions]
    if args.json:
        print(json.dumps(summary(outcomes), ensure_ascii=False, indent=1, default=str))
        return 0
    source = args.questions or "questions generated from the catalog"
    print(f"answers: {len(questions)} from {source}; {assistant.status()}")
    report(outcomes, assistant.llm is not None, args.verbose)
    return 0


def _questions(args: argparse.Namespace) -> int:
    from .answers.questions import generate
    from .answers.shop import Shop

    settings = settings_from_args(args, AssistantSettings)
    questions = generate(Shop.load(settings.catalog), args.seed, per_kind=args.per_kind)
    text = "".join(q.to_json() + "\n" for q in questions)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {len(questions)} questions to {args.out}")
    else:
        print(text, end="")
    return 0
