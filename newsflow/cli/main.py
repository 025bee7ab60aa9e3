"""The `newsflow` command: ingest, query, sources, demo, serve, reextract."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from newsflow.cli.temporary_server import TemporaryServer

DEFAULT_SOURCES = "sources.toml"
DEFAULT_DB = "data/news.duckdb"
PACKAGE_LOGGERS = "fetchers,extractors,storage,newsflow,flows"
# Commands that run a flow, and the module each runs it from.
FLOW_MODULES = {
    "ingest": "flows.ingest",
    "demo": "newsflow.demo.run",
    "reextract": "flows.reextract",
}


def main(argv: list[str] | None = None) -> int:
    """Runs one `newsflow` subcommand; returns the process exit code."""
    args = _parser().parse_args(argv)
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
        from newsflow.cli import commands

        with server.api():
            return getattr(commands, args.command.replace("-", "_"))(args)
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:  # Prefect could not start its server or reach the API
        print(f"newsflow {args.command}: could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        server.stop()


def _start_early(args: argparse.Namespace, server: TemporaryServer) -> None:
    """Starts what a flow command waits for at once, in other processes, then imports."""
    server.launch()  # Prefect's server, when none is configured
    if args.command == "demo" or (args.command == "ingest" and _lists_sources(args.sources)):
        from extractors.pipeline import prestart

        prestart()  # the fork server loads the models
    importlib.import_module(FLOW_MODULES[args.command])


def _lists_sources(path: str) -> bool:
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

    query = sub.add_parser("query", help="run read-only SQL on the database")
    query.add_argument("sql")
    query.add_argument("--db", default=DEFAULT_DB)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")

    sources = sub.add_parser("sources", help="each source with its last fetch and health")
    _sources_and_db(sources)

    sub.add_parser("demo", help="serve a sample blog on 127.0.0.1 and ingest it (offline)")

    serve = sub.add_parser("serve", help="run the nightly schedule in this process")
    _sources_and_db(serve)
    serve.add_argument("--cron", default="0 2 * * *")
    serve.add_argument("--timezone", default="UTC")

    reextract = sub.add_parser(
        "reextract", help="re-extract and re-tag stored pages whose tagger changed, no fetching"
    )
    _sources_and_db(reextract)
    reextract.add_argument("--all", action="store_true", help="every stored page, not only stale")
    return parser


def _sources_and_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", default=DEFAULT_SOURCES)
    parser.add_argument("--db", default=DEFAULT_DB)
