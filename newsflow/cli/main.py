"""The `newsflow` command: ingest, query, search, export, sources, watch, demo, serve,
backfill, reextract, copy-db."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys

from newsflow.cli.temporary_server import TemporaryServer
from newsflow.defaults import (
    BACKFILL_MAX_PAGES,
    DB_PATH,
    DUE_EVERY_MINUTES,
    NIGHTLY_CRON,
    SOURCES_PATH,
    TIMEZONE,
)

PACKAGE_LOGGERS = "fetchers,extractors,storage,newsflow,flows"
# Commands that run a flow, and the module each runs it from.
FLOW_MODULES = {
    "ingest": "flows.ingest",
    "demo": "newsflow.demo.run",
    "reextract": "flows.reextract",
    "backfill": "flows.backfill",
}
# What Prefect imports only once a flow starts (its engines; fastapi's JSON encoder for the
# flow's parameters, ~0.3 CPU-s; graphviz; rich's emoji table for the first log line),
# after its server answers: imported while the server starts instead.
ENGINE_MODULES = (
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.utilities.visualization",
    "fastapi.encoders",
    "rich._emoji_codes",
)
# Commands whose handlers live outside commands.py: command -> module.
HANDLER_MODULES = {
    "search": "newsflow.cli.analyst",
    "index": "newsflow.cli.analyst",
    "export": "newsflow.cli.analyst",
}


def run() -> None:
    """The process's entry point: runs the command, then exits."""
    from newsflow.cli.stopping import end_on_signals

    end_on_signals()
    code = main()
    # The interpreter's last garbage collection walks every object of ~1,500 modules
    # (Prefect, pydantic, duckdb...): 0.2-0.7 s before the process can end, for memory the
    # process is about to give back anyway. Frozen objects are left out of it.
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    """Runs one `newsflow` subcommand; returns the process exit code."""
    args = _parser().parse_args(argv)
    refused = _refused_database(args)
    if refused:  # before Prefect records the parameter or DuckDB repeats it
        print(f"newsflow {args.command}: error: {refused}", file=sys.stderr)
        return 2
    # Our own loggers appear in Prefect's run logs (and so in the UI) through this setting,
    # which Prefect reads when it configures logging on import.
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", PACKAGE_LOGGERS)
    # The ephemeral server's 20 s default start-up budget is short on a busy 2-core box.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # often offline
    server = TemporaryServer()
    try:
        if args.command in FLOW_MODULES:
            _start_early(args, server)
        with server.api(), _progress_shown(args.command):
            return _handler(args)(args)
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:  # Prefect could not start its server or reach the API
        print(f"newsflow {args.command}: could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        server.stop()


def _refused_database(args: argparse.Namespace) -> str | None:
    """Returns why the command's database string cannot be used (a lake's catalog that is
    neither SQLite nor PostgreSQL, a password in it), or None."""
    from newsflow.errors import StorageError
    from storage.lake import catalog_kind, is_lake

    for db in (getattr(args, "db", None), getattr(args, "to", None)):
        try:
            if db and is_lake(db):
                catalog_kind(db)
        except StorageError as exc:
            return str(exc)
    return None


def _progress_shown(command: str):
    """Returns a context showing live progress for the commands that run a flow."""
    if command not in ("ingest", "reextract", "backfill"):
        return contextlib.nullcontext()
    from newsflow.cli.progress_display import progress_display
    from newsflow.cli.render import console

    return progress_display(console)


def _handler(args: argparse.Namespace):
    """Returns the function that runs the parsed command."""
    if args.command == "sources" and getattr(args, "action", None):
        from newsflow.cli import opml_commands

        return getattr(opml_commands, f"sources_{args.action}")
    if args.command == "watch":
        from newsflow.cli import watch_commands

        return getattr(watch_commands, f"watch_{args.action}")
    module = importlib.import_module(HANDLER_MODULES.get(args.command, "newsflow.cli.commands"))
    return getattr(module, args.command.replace("-", "_"))


def _start_early(args: argparse.Namespace, server: TemporaryServer) -> None:
    """Starts what a flow command waits for in other processes, and imports meanwhile.

    Prefect's server is launched first: nothing runs before it answers. The fork server
    (the models, ~2.5 CPU-s) starts once this command's imports are done, so the three
    never share the 2 cores at once: the server answers sooner, and the models are ready
    about when the first pages are fetched.
    """
    server.launch()  # Prefect's server, when none is configured
    for module in (FLOW_MODULES[args.command], *ENGINE_MODULES):
        importlib.import_module(module)
    # A `--due` run often has nothing due: the models load when a first page needs them.
    reads_all = args.command == "ingest" and not args.due
    if args.command in ("demo", "backfill") or (reads_all and lists_sources(args.sources)):
        from extractors.pool.pipeline import prestart

        prestart()  # the fork server loads the models


def lists_sources(path: str) -> bool:
    """True when the sources file names a source: with none (or a broken file, which the
    flow reports) there is nothing to extract, and the models' ~3 CPU-s would only slow
    the start-up they share the cores with."""
    from newsflow.config import load_sources
    from newsflow.errors import ConfigError

    try:
        return bool(load_sources(path).sources)
    except ConfigError:
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="fetch, extract, tag and store every source now")
    _sources_and_db(ingest)
    _shards(ingest)
    ingest.add_argument(
        "--due", action="store_true", help="only the sources whose pace says they are due"
    )

    query = sub.add_parser("query", help="run read-only SQL on the database")
    query.add_argument("sql")
    query.add_argument("--db", default=DB_PATH)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument(
        "--timeout", type=_seconds, metavar="SECONDS", help="stop the query after this long"
    )
    query.add_argument(
        "--as-of",
        metavar="RUN_ID|TIMESTAMP",
        help="answer from a DuckLake's snapshot of that moment (a run id: before that run)",
    )

    sources = sub.add_parser("sources", help="each source with its last fetch and health")
    _sources_and_db(sources)
    _sources_actions(sources)

    _watch_parser(sub)
    _search_parser(sub)
    _index_parser(sub)
    _export_parser(sub)

    sub.add_parser("demo", help="serve a sample blog on 127.0.0.1 and ingest it (offline)")

    serve = sub.add_parser(
        "serve", help="run the nightly schedule and the frequent due runs in this process"
    )
    _sources_and_db(serve)
    serve.add_argument("--cron", default=NIGHTLY_CRON)
    serve.add_argument("--timezone", default=TIMEZONE)
    serve.add_argument(
        "--due-every",
        type=int,
        default=DUE_EVERY_MINUTES,
        metavar="MINUTES",
        help="read the due sources this often, beside the night (0: never)",
    )
    _shards(serve)

    backfill = sub.add_parser(
        "backfill", help="walk a source's feed pages and sitemaps back to a date, and store"
    )
    _sources_and_db(backfill)
    backfill.add_argument("--source", help="only this source (default: every source)")
    backfill.add_argument(
        "--since", required=True, help="how far back: an age (30d, 2w) or a date (2026-01-31)"
    )
    backfill.add_argument(
        "--max-pages", type=int, default=BACKFILL_MAX_PAGES, metavar="N",
        help="feed pages or sitemap files read a source, at most",
    )  # fmt: skip

    reextract = sub.add_parser(
        "reextract", help="re-extract and re-tag stored pages whose tagger changed, no fetching"
    )
    _sources_and_db(reextract)
    reextract.add_argument("--all", action="store_true", help="every stored page, not only stale")
    reextract.add_argument(
        "--source", help="every stored page of this source (after changing its [sources.extract])"
    )

    copy = sub.add_parser(
        "copy-db", help="copy a DuckDB file's rows into another database (move to a DuckLake)"
    )
    copy.add_argument("--from", dest="source", default=DB_PATH, help="the DuckDB file")
    copy.add_argument("--to", required=True, help="e.g. ducklake:postgres:dbname=news host=…")
    copy.add_argument("--sources", default=SOURCES_PATH, help="its [storage] data_path")
    return parser


def _seconds(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {value!r}")
    return seconds


def _sources_and_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", default=SOURCES_PATH)
    parser.add_argument("--db", default=DB_PATH)


def _shards(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shards",
        type=int,
        default=1,
        metavar="N",
        help="split the night by host over N shards, run as processes of this machine "
        "(needs a DuckLake --db)",
    )


def _sources_actions(sources: argparse.ArgumentParser) -> None:
    # SUPPRESS: an option given before the action is not reset by the action's default.
    actions = sources.add_subparsers(dest="action", required=False)
    opml_in = actions.add_parser("import", help="add the feeds of an OPML file to sources.toml")
    opml_in.add_argument("file", help="OPML file (Feedly, Inoreader, Miniflux, NetNewsWire...)")
    opml_in.add_argument("--sources", default=argparse.SUPPRESS)
    opml_out = actions.add_parser("export", help="write the sources as OPML")
    opml_out.add_argument("--out", help="file to write (default: standard output)")
    opml_out.add_argument("--sources", default=argparse.SUPPRESS)
    opml_out.add_argument("--db", default=argparse.SUPPRESS)


def _watch_parser(sub) -> None:
    watch = sub.add_parser("watch", help="saved searches matched every night (sources.toml)")
    actions = watch.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a watch to sources.toml")
    add.add_argument("name", help="unique, lower-case letters, digits and '-'")
    add.add_argument("query", help="words, as `newsflow search` takes them")
    add.add_argument("--lang", help="only articles in this language (ISO 639-1, e.g. id)")
    add.add_argument("--source", help="only articles from this source")
    add.add_argument("--since", help="only articles from this age or date on: 7d, 24h, DATE")
    tag_help = "only articles with this tag: person=Jens Stoltenberg (repeatable)"
    add.add_argument("--tag", action="append", metavar="KIND=VALUE", help=tag_help)
    rm = actions.add_parser("rm", help="remove a watch from sources.toml (its matches stay)")
    rm.add_argument("name")
    listing = actions.add_parser("list", help="each watch, its matches and its last match")
    listing.add_argument("--db", default=DB_PATH)
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    for action in (add, rm, listing):
        action.add_argument("--sources", default=SOURCES_PATH)


def _search_parser(sub) -> None:
    search = sub.add_parser("search", help="full-text search, best matches first (BM25)")
    search.add_argument("query")
    search.add_argument("--db", default=DB_PATH)
    search.add_argument("--index", help="search index file (default: <db>.search.duckdb)")
    search.add_argument("--lang", help="only articles in this language (ISO 639-1, e.g. id)")
    search.add_argument("--source", help="only articles from this source")
    search.add_argument("--since", help="only articles from this age or date on: 7d, 24h, DATE")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--format", choices=("table", "csv", "json"), default="table")


def _index_parser(sub) -> None:
    index = sub.add_parser("index", help="bring the search index up to date")
    index.add_argument("--db", default=DB_PATH)
    index.add_argument("--index", help="search index file (default: <db>.search.duckdb)")
    index.add_argument("--rebuild", action="store_true", help="rebuild it all")


def _export_parser(sub) -> None:
    export = sub.add_parser("export", help="write articles as Hive-partitioned files")
    export.add_argument("--out", required=True, help="folder (partitions replaced on rerun)")
    export.add_argument("--db", default=DB_PATH)
    export.add_argument("--format", choices=("parquet", "jsonl", "csv"), default="parquet")
    export.add_argument("--since", help="only articles published from this age or date on")
    export.add_argument("--source", help="only this source's articles")
    export.add_argument("--with-tags", action="store_true", help="add each article's tags")
