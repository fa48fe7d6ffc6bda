"""``python -m index build|search|info``: the retrieval engine from the command line.

Every command takes ``--catalog`` and ``--index``; settings come from flags, then
``SHOP_*`` environment variables, then defaults. Errors meant for the user are
printed as one line on stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from .build import build_index
from .catalog import Catalog, load_catalog
from .errors import BadSetting, ShopError
from .prices import PriceRange
from .query import Constraints
from .search import Searcher, SearchResult
from .settings import Settings
from .text import Tokenizer

S = TypeVar("S", bound=Settings)


def configure_logging(verbose: bool) -> None:
    """Notes for the user as "note: …" lines; with ``--verbose``, every module's log."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s" if verbose else "note: %(message)s",
        force=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        settings = settings_from_args(args, Settings)
        return int(args.run(args, settings))
    except ShopError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """The options every command shares; each maps to a ``Settings`` field."""
    parser.add_argument("--catalog", type=Path, help="catalog folder, .jsonl or .csv file")
    parser.add_argument("--index", dest="index_dir", type=Path, help="index folder")
    parser.add_argument("--csv-mapping", help="shopify | magento | mapping.json")
    parser.add_argument("--text-embedder", help="e5 (default) | minilm")
    parser.add_argument("--image-embedder", help="clip (default) | visual")
    parser.add_argument("--clip-model", help="open_clip architecture or hf-hub:<id>")
    parser.add_argument("--clip-pretrained", help="pretrained tag or checkpoint file")
    parser.add_argument("--device", help="cpu | cuda | auto")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument(
        "--offline",
        dest="allow_downloads",
        action="store_const",
        const=False,
        help="never try to download model weights",
    )
    parser.add_argument(
        "--rebuild",
        dest="auto_rebuild",
        action="store_const",
        const=True,
        help="update a stale index incrementally instead of refusing",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is loaded")


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help: str,
    run: Callable[..., int],
    options: Callable[[argparse.ArgumentParser], None] = add_common_options,
) -> argparse.ArgumentParser:
    """A subcommand with its shared options and ``run``, the function ``main`` calls."""
    parser = commands.add_parser(name, help=help)
    options(parser)
    parser.set_defaults(run=run)
    return parser


def settings_from_args(args: argparse.Namespace, kind: type[S]) -> S:
    """Flags over ``SHOP_*`` variables over defaults; a refused value is one clear line.

    ``kind`` is the entry point's settings class: ``Settings`` here, the assistant's
    and the page's subclasses in theirs, so each builds one typed object.
    """
    fields = kind.model_fields
    try:
        return kind.from_overrides({k: v for k, v in vars(args).items() if k in fields})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
            + (f" (got {e['input']!r})" if not isinstance(e.get("input"), dict) else "")
            for e in error.errors()
        )
        raise BadSetting(
            f"bad setting: {problems}", fix="see --help, or unset the SHOP_* variable"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    add_command(commands, "build", "build or update the index", _build)
    search = add_command(commands, "search", "search by text, photo or both", _search)
    search.add_argument("query", nargs="*", help="what the shopper typed")
    search.add_argument("--image", type=Path, help="a query photo")
    search.add_argument("--k", type=int, help="how many results")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--min-price", type=float)
    search.add_argument("--max-price", type=float)
    for name in ("type", "gender", "color", "size", "term"):
        search.add_argument(f"--{name}", action="append", default=[], help=f"required {name}")
    add_command(commands, "info", "show what the index was built with", _info)
    return parser


def _load(settings: Settings) -> Catalog:
    catalog = load_catalog(settings.catalog, csv_mapping=settings.csv_mapping)
    if catalog.problems:
        first = catalog.problems[0]
        print(
            f"catalog: {len(catalog)} products loaded, {len(catalog.problems)} problems "
            f"(first: {first}; run with -v for all)",
            file=sys.stderr,
        )
    return catalog


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from .query import Lexicon

    catalog = _load(settings)
    report = build_index(catalog, settings, tokenizer=Tokenizer(Lexicon.words(Lexicon.read())))
    print(
        f"indexed {report.products} products and {report.images} photos in "
        f"{report.seconds:.1f} s ({report.text_encoded} texts and {report.images_encoded} "
        f"photos encoded, the rest reused) → {settings.resolved_index_dir()}"
    )
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    text = " ".join(args.query).strip()
    if not text and args.image is None:
        print("error: give a query, --image PHOTO, or both", file=sys.stderr)
        return 2
    searcher = Searcher(settings, catalog=_load(settings))
    price = None
    if args.min_price is not None or args.max_price is not None:
        price = PriceRange(args.min_price, args.max_price, (0, 0), "")
    explicit = Constraints(
        price=price,
        types=tuple(args.type),
        genders=tuple(args.gender),
        colors=tuple(args.color),
        sizes=tuple(args.size),
        terms=tuple(args.term),
    )
    result = searcher.search(text or None, args.image, k=args.k, constraints=explicit)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_table(result))
    return 0


def render_table(result: SearchResult) -> str:
    """A readable table of the hits, with the constraints that were understood."""
    lines = []
    understood = result.constraints.to_dict()
    if understood:
        lines.append("understood: " + json.dumps(understood, ensure_ascii=False))
    if result.alternatives:
        missing = ", ".join(result.unmet) or "the constraints"
        lines.append(f"nothing in the catalog matches {missing}; nearest alternatives:")
    rows: list[list[Any]] = [["#", "id", "name", "price", "score", "matched"]]
    for rank, hit in enumerate(result.hits, start=1):
        rows.append(
            [
                rank,
                hit.product.id,
                hit.product.name,
                f"{hit.product.effective_price:.2f} {hit.product.currency}",
                f"{hit.score:.3f}",
                ", ".join(hit.matched),
            ]
        )
    widths = [max(len(str(row[c])) for row in rows) for c in range(len(rows[0]))]
    for row in rows:
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    if not result.hits:
        lines.append("no results")
    return "\n".join(lines)


def _info(args: argparse.Namespace, settings: Settings) -> int:
    from .layout import current

    generation = current(settings.resolved_index_dir())
    if generation is None:
        print(f"no index in {settings.resolved_index_dir()}")
        return 1
    print(json.dumps(generation.manifest, indent=2, ensure_ascii=False))
    return 0
