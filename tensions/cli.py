"""`python -m tensions …`: a thin command line over the package's functions.

Commands that write to the data folder pass the guard a local grant (`tensions.data.guard.local_grant`):
whoever runs them on the server already owns the files, so a password would protect nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tensions.analysis.filters import DATASET_PARAM, FilterState
from tensions.data.gazetteer import Gazetteer
from tensions.data.guard import local_grant
from tensions.data.paths import data_dir
from tensions.data.schema import EVENTS, PLACES, to_typed
from tensions.data.validate import read_tables, validate_folder
from tensions.errors import InvalidDataError, InvalidFilter, TensionsError
from tensions.export.data_card import update_file
from tensions.geocode.fill import (
    LookupReport,
    append_places,
    fill_event_coordinates,
    geocode_unknown_places,
    save_geocoded,
)
from tensions.geocode.nominatim import NominatimLookup
from tensions.ingest.imported import dataset_named


def cmd_validate(args: argparse.Namespace) -> int:
    problems = validate_folder(args.data_dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {args.data_dir}", file=sys.stderr)
        return 1
    print(f"{args.data_dir}: valid")
    return 0


def cmd_geocode(args: argparse.Namespace) -> int:
    from tensions.curation.access import AccessConfig
    from tensions.curation.saving import save_changes
    from tensions.curation.snapshot import load_current
    from tensions.store.config import database_url

    # With the database as the store, its tables (checked when they were loaded or saved) are geocoded and
    # saved back through the curated save, as a curator's edit: validated, audited, refused if another
    # save changed the same rows meanwhile.
    base = None if database_url() is None else load_current(args.data_dir)
    if base is None:
        tables, problems = read_tables(args.data_dir)
        if problems:
            for problem in problems:
                print(problem)
            return 1
    else:
        tables = base.tables
    events, places = tables[EVENTS.file_name], tables[PLACES.file_name]
    report = LookupReport()
    found = []
    if args.online:
        lookup = NominatimLookup(
            user_agent=args.user_agent, domain=args.domain, scheme=args.scheme, timeout=args.timeout
        )
        found = geocode_unknown_places(events, Gazetteer(to_typed(places, PLACES)), lookup, report)
        if found:
            places = append_places(places, found, geocoder=lookup.name, today=dt.date.today())
    filled = fill_event_coordinates(events, Gazetteer(to_typed(places, PLACES)), report)
    if found or report.filled_lines:
        changed = {"places": places if found else None, "events": filled if report.filled_lines else None}
        if base is None:
            save_geocoded(args.data_dir, grant=local_grant(), **changed)
        else:
            save_changes(base, grant=local_grant(), access_config=AccessConfig(), **changed)
    for place in report.new_places:
        print(f"added place {place.place!r} ({place.latitude}, {place.longitude}), precision {place.geo_precision}")
    print(f"filled coordinates of {len(report.filled_lines)} event(s)")
    for line, location in report.unplaced:
        print(
            f"{EVENTS.file_name}:{line}:location: could not place {location!r}"
            + ("" if args.online else " (add it to places.csv, or run with --online)")
        )
    for failure in report.failures:
        print(f"geocoder: {failure}", file=sys.stderr)
    return 1 if report.unplaced or report.failures else 0


def cmd_docs(args: argparse.Namespace) -> int:
    path = Path(args.data_dir) / "README.md"
    print(f"{path}: {'updated' if update_file(path, grant=local_grant()) else 'already up to date'}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tensions.store.config import database_url, shown_url
    from tensions.store.select import import_and_save

    outcome = import_and_save(args.file, args.dataset, args.data_dir, grant=local_grant())
    result, record = outcome.result, outcome.record
    print(f"{result.file_name}: {result.format_name}")
    print(f"rows read: {result.rows_read:,}; imported: {result.rows_imported:,}; rejected: {result.rows_rejected:,}")
    for note in result.notes:
        print(f"note: {note}")
    problems = result.problems()
    for problem in problems[: args.max_problems]:
        print(problem)
    if len(problems) > args.max_problems:
        print(f"… and {len(problems) - args.max_problems:,} more reasons (--rejected FILE, or the Data page)")
    if result.rows_rejected_listed < result.rows_rejected:
        listed, total = result.rows_rejected_listed, result.rows_rejected
        print(f"the first {listed:,} of the {total:,} rejected rows are kept with their reasons")
    if args.rejected:
        outcome.write_rejected_csv(args.rejected)
        print(f"rejected rows with reasons: {args.rejected}")
    if outcome.replaced is not None:
        print(f"replaced the import of the same file name made {outcome.replaced.imported_at}")
    url = database_url()
    print(f"wrote {record.events_path}" if url is None else f"stored {record.key} in {shown_url(url)}")
    return 1 if result.rows_rejected else 0


def cmd_sync(args: argparse.Namespace) -> int:
    from tensions.analysis.digest import digest_of_last_syncs
    from tensions.export.notify import NotifySettings, send_digest
    from tensions.ingest.sync import SOURCES, SyncSettings, parse_interval, run_every, sync_sources
    from tensions.store.select import sync_store

    names = list(SOURCES) if args.source == "all" else [args.source]
    overrides = {"since": args.since} if args.since else {}
    settings = SyncSettings.from_env(**overrides)
    grant = local_grant()
    notify_settings = NotifySettings.from_env(os.environ)
    outcome = 0

    def once() -> None:
        nonlocal outcome
        reports = sync_sources(grant, names, args.data_dir, settings, store=sync_store(args.data_dir))
        for report in reports:
            print(report.summary(), flush=True)
            for note in report.notes:
                print(f"  note: {note}", flush=True)
        outcome = 2 if any(not r.ok for r in reports) else 1 if any(r.rejected for r in reports) else 0
        if notify_settings.configured and any(r.ok for r in reports):
            try:
                digest = digest_of_last_syncs(args.data_dir, reports)
                for line in send_digest(notify_settings, digest) if digest.alerts else []:
                    print(line, flush=True)
            except TensionsError as error:  # the digest could not be built or delivered
                print(f"error: {error}", file=sys.stderr, flush=True)
                outcome = 2

    if args.every is None:
        once()
        return outcome
    try:
        seconds = parse_interval(args.every)
    except ValueError as error:
        print(f"error: --every: {error}", file=sys.stderr)
        return 2
    try:
        run_every(seconds, once)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from tensions.bench.measure import bench_sizes, format_report, run_bench, write_json

    if args.store == "postgres":
        from tensions.bench.postgres import format_comparison, run_postgres_bench
        from tensions.store.config import normalise_url, required_database_url

        url = normalise_url(args.database_url) if args.database_url else required_database_url()
        say = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
        database = run_postgres_bench(
            url, args.events, seed=args.seed, figure_repeats=args.figure_repeats, data_dir=args.data_dir,
            load=not args.no_load, log=say,
        )  # fmt: skip
        say(f"the file store at {args.files_events:,} events, for comparison…")
        files = run_bench(
            [args.files_events], seed=args.seed, figure_repeats=args.figure_repeats, data_dir=args.data_dir
        )
        print(format_comparison(database, files.sizes[-1]))
        return 0
    report = run_bench(bench_sizes(args.events, only=args.only), seed=args.seed, figure_repeats=args.figure_repeats)
    print(format_report(report))
    if args.json:
        write_json(report, args.json)
        print(f"wrote {args.json}")
    return 0


def cmd_bench_hostile(args: argparse.Namespace) -> int:
    from tensions.bench.hostile import HOSTILE_FILES, format_results, run_hostile

    chosen = tuple(f for f in HOSTILE_FILES if not args.only or f.name in args.only)
    print(format_results(run_hostile(chosen, data_dir=args.data_dir)))
    return 0


def cmd_bench_browser(args: argparse.Namespace) -> int:
    from tensions.bench.browser import run_browser_bench

    print(run_browser_bench(runs=args.runs))
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    from tensions.analysis import overrides
    from tensions.analysis.tension import baseline_label, last_full_month
    from tensions.store.select import load_curated

    dataset = load_curated(args.data_dir)
    events = dataset.events
    as_of = args.as_of or events["event_date"].max().date()
    month = str(last_full_month(as_of))
    if args.override:
        country, trend = args.override
        judgement = overrides.TrendOverride(
            country, month, trend, args.rationale or "", args.analyst or "", dt.date.today()
        )
        overrides.save_override(args.data_dir, judgement, grant=local_grant())
        print(f"recorded: {country} {trend} in {month} (analyst judgement by {judgement.analyst.strip()})")
    since = events["event_date"].min().date()
    trends = overrides.judged_trends(
        events, dataset.actors, overrides.read_overrides(args.data_dir), as_of=as_of, since=since
    )
    print(f"Trends for {month} against the month before (index points; baseline: last 4 weeks vs the 52 before)")
    line = "{:<22} {:<13} {:<18} {:>12} {:>8} {:>8}  {:<17} {}"
    print(line.format("Country", "Trend", "Basis", "Month before", "Index", "Change", "4 wk vs baseline", "Judgement"))
    for row in overrides.listed(trends).itertuples(index=False):
        judged = "" if row.basis == overrides.COMPUTED else f"computed: {row.trend}; {row.analyst}: {row.rationale}"
        versus = baseline_label(row.change_pct, recent=row.recent, baseline=row.baseline)
        print(
            line.format(
                row.area, row.shown_trend, row.basis, f"{row.previous:.1f}", f"{row.index:.1f}", f"{row.change:+.1f}",
                versus, judged,
            ).rstrip()
        )  # fmt: skip
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from tensions.store import curated, migrate
    from tensions.store.config import required_database_url, shown_url

    url = required_database_url()
    if args.action == "upgrade":
        migrate.upgrade(url)
        print(f"{shown_url(url)}: schema at revision {migrate.current_revision(url)} (the newest)")
    elif args.action == "load":
        try:
            counts = curated.load_folder(url, args.data_dir, grant=local_grant(), replace=args.replace)
        except InvalidDataError as error:
            for problem in error.problems:
                print(problem)
            print(f"{len(error.problems)} problem(s) in {args.data_dir}: nothing was loaded", file=sys.stderr)
            return 1
        print(f"loaded into {shown_url(url)}: " + ", ".join(f"{n:,} rows from {name}" for name, n in counts.items()))
    else:
        folder = args.to or args.data_dir
        for path in curated.dump_folder(url, folder, grant=local_grant()):
            print(f"wrote {path}")
    return 0


def export_filters(args: argparse.Namespace) -> FilterState:
    """The filters of `export`: a page link's (`--view`), each filter given as an option replacing the link's."""
    view = args.view or ""
    query = urlsplit(view).query if "?" in view else view
    params = parse_qs(query, keep_blank_values=True)
    state = FilterState.from_query_params(params)
    if DATASET_PARAM in params and not state.datasets:  # `dataset=`: the sidebar's emptied filter, every dataset
        from tensions.store.select import every_dataset

        state = dataclasses.replace(state, datasets=tuple(every_dataset(args.data_dir)))
    given = {
        "start": args.start,
        "end": args.end,
        "countries": tuple(args.country),
        "actors": tuple(args.actor),
        "event_types": tuple(args.type),
        "datasets": tuple(args.dataset),
        "precise_only": args.precise_only,
    }
    state = dataclasses.replace(state, **{field: value for field, value in given.items() if value})
    if state.start is not None and state.end is not None and state.start > state.end:
        raise InvalidFilter(f"the period would start on {state.start}, after it ends on {state.end}")
    return state


def cmd_export(args: argparse.Namespace) -> int:
    from tensions.export.briefing import export_timeline_file
    from tensions.export.render import stop_renderer

    if args.start and args.end and args.start > args.end:
        print(f"error: --start {args.start} is after --end {args.end}", file=sys.stderr)
        return 2
    state = export_filters(args)
    try:
        print(
            export_timeline_file(
                args.data_dir,
                args.out,
                fmt=args.format,
                state=state,
                width=args.width,
                height=args.height,
                title=args.title,
                subtitle=args.subtitle,
                lanes=args.lanes,
                granularity=args.granularity,
                since_brief=args.since_brief,
            )
        )
    finally:
        stop_renderer()  # close Chromium before the interpreter's own clean-up races it
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tensions", description="Regional tensions: curated data tools.")
    parser.add_argument(
        "--data-dir", type=Path, default=data_dir(), help="folder with events.csv, actors.csv, places.csv"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the curated tables; print file:row:column: message")
    validate.set_defaults(handler=cmd_validate)

    geocode = commands.add_parser(
        "geocode", help="fill missing event coordinates from the gazetteer (and Nominatim with --online)"
    )
    geocode.add_argument(
        "--online",
        action="store_true",
        help="ask Nominatim for places the gazetteer lacks; answers are saved to places.csv",
    )
    geocode.add_argument(
        "--user-agent",
        default=os.environ.get("TENSIONS_GEOCODER_USER_AGENT", ""),
        help="identifies you to Nominatim (or TENSIONS_GEOCODER_USER_AGENT)",
    )
    geocode.add_argument("--domain", default="nominatim.openstreetmap.org", help="Nominatim host[:port]")
    geocode.add_argument("--scheme", default="https", choices=["https", "http"])
    geocode.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    geocode.set_defaults(handler=cmd_geocode)

    docs = commands.add_parser("docs", help="regenerate the column and taxonomy tables in data/README.md")
    docs.set_defaults(handler=cmd_docs)

    imports = commands.add_parser(
        "import",
        help="import a UCDP GED, ACLED or GDELT file into DATA_DIR/imported/ (Parquet), or into the database when one "
        "is configured; curated tables are untouched",
    )
    imports.add_argument("dataset", choices=["ucdp", "acled", "gdelt", "auto"], help="the file's source, or auto")
    imports.add_argument("file", type=Path, help="CSV, tab-separated GDELT file, or a ZIP holding one")
    imports.add_argument("--max-problems", type=int, default=50, help="reasons to print (default 50)")
    imports.add_argument("--rejected", type=Path, help="also write every rejected row with its reason to this CSV")
    imports.set_defaults(handler=cmd_import)

    sync = commands.add_parser(
        "sync",
        help="fetch what is new or changed at ACLED, UCDP or GDELT into DATA_DIR/imported/ (credentials: see README)",
    )
    sync.add_argument("source", choices=["acled", "ucdp", "gdelt", "all"], help="the source to sync, or all three")
    sync.add_argument("--every", metavar="INTERVAL", help="keep syncing, e.g. every 15m (90s, 1h); Ctrl-C stops")
    sync.add_argument("--since", type=dt.date.fromisoformat, help="first day a first sync fetches (default 2023-10-07)")
    sync.set_defaults(handler=cmd_sync)

    bench = commands.add_parser(
        "bench", help="time loading, filtering and figure building on synthetic events (10k, 100k and --events)"
    )
    bench.add_argument("--events", type=int, default=1_000_000, help="largest size (default 1,000,000)")
    bench.add_argument("--only", action="store_true", help="run only --events, not 10k and 100k before it")
    bench.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    bench.add_argument("--seed", type=int, default=7, help="random seed of the synthetic events")
    bench.add_argument("--figure-repeats", type=int, default=5, help="filter states per figure timing (default 5)")
    bench.add_argument(
        "--store", choices=["files", "postgres"], default="files",
        help="postgres: load --events into PostgreSQL and draw each figure from SQL sums, beside the files at --files-events",
    )  # fmt: skip
    bench.add_argument(
        "--database-url",
        help="with --store postgres: the database (default: TENSIONS_DATABASE_URL); its imports are replaced",
    )
    bench.add_argument(
        "--files-events", type=int, default=1_000_000, help="with --store postgres: the file store's size"
    )
    bench.add_argument(
        "--no-load", action="store_true", help="with --store postgres: measure the events already loaded"
    )
    bench.set_defaults(handler=cmd_bench)

    hostile = commands.add_parser(
        "bench-hostile", help="build hostile files (ZIP bombs, garbage rows…) and measure what importing each costs"
    )
    hostile.add_argument("--only", action="append", default=[], metavar="NAME", help="one file by name (repeatable)")
    hostile.set_defaults(handler=cmd_bench_hostile)

    browser = commands.add_parser(
        "bench-browser",
        help="serve the app and a trivial app, and time each page's first chart, redraws and the map PNG in Chromium",
    )
    browser.add_argument("--runs", type=int, default=5, help="loads of each page (default 5); medians are printed")
    browser.set_defaults(handler=cmd_bench_browser)

    trends = commands.add_parser(
        "trends", help="print each country's tension trend for the last full month; record a judgement with --override"
    )
    trends.add_argument("--as-of", type=dt.date.fromisoformat, help="reference date (default: the latest event)")
    trends.add_argument(
        "--override", nargs=2, metavar=("COUNTRY", "TREND"), help="record an analyst's trend for the month"
    )
    trends.add_argument("--rationale", help="one line: why (with --override)")
    trends.add_argument("--analyst", help="who judges (with --override)")
    trends.set_defaults(handler=cmd_trends)

    db = commands.add_parser(
        "db", help="the PostgreSQL store (TENSIONS_DATABASE_URL): migrate it, load the CSV files into it, dump it back"
    )
    db_actions = db.add_subparsers(dest="action", required=True)
    db_actions.add_parser("upgrade", help="bring the database's schema to the newest migration")
    load = db_actions.add_parser("load", help="load DATA_DIR's curated CSV files (validated first), in one transaction")
    load.add_argument("--replace", action="store_true", help="replace the curated rows the database already holds")
    dump = db_actions.add_parser("dump", help="write the curated tables back to CSV files (byte-identical round trip)")
    dump.add_argument("--to", type=Path, help="folder to write to (default: DATA_DIR)")
    db.set_defaults(handler=cmd_db)

    export = commands.add_parser(
        "export", help="write the briefing timeline as a PNG or SVG slide, or a PowerPoint deck"
    )
    export.add_argument("figure", choices=["timeline"], help="what to export")
    export.add_argument("--out", type=Path, required=True, help="file to write (.png, .svg or .pptx)")
    export.add_argument("--format", choices=["png", "svg", "pptx"], help="default: from --out's suffix")
    export.add_argument(
        "--view",
        metavar="LINK",
        help="the filters of a page link (or its query string), e.g. a Timeline link copied from the browser; "
        "the filter options below replace the link's",
    )
    export.add_argument("--start", type=dt.date.fromisoformat, help="first day (YYYY-MM-DD); default: first event")
    export.add_argument("--end", type=dt.date.fromisoformat, help="last day (YYYY-MM-DD); default: latest event")
    export.add_argument("--country", action="append", default=[], help="keep this country (repeatable)")
    export.add_argument(
        "--actor", action="append", default=[], help="keep events of this actor and its factions (repeatable)"
    )
    export.add_argument("--type", action="append", default=[], help="keep this event type (repeatable)")
    export.add_argument(
        "--dataset",
        action="append",
        default=[],
        type=dataset_named,
        help="curated or an imported dataset, by id or title (acled or ACLED; repeatable; default curated)",
    )
    export.add_argument("--precise-only", action="store_true", help="leave out events known only to province/month")
    export.add_argument("--width", type=int, default=1920, help="pixels (default 1920)")
    export.add_argument("--height", type=int, default=1080, help="pixels (default 1080)")
    export.add_argument("--title", default="", help="slide title (default: from the period)")
    export.add_argument("--subtitle", default="", help="slide subtitle (default: what is shown)")
    export.add_argument("--lanes", choices=["theatre", "actor1_family"], default="theatre", help="swimlanes by")
    export.add_argument("--granularity", choices=["week", "month"], default="week", help="counts per week or month")
    export.add_argument("--since-brief", help="mark what changed since this saved brief (its name)")
    export.set_defaults(handler=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except TensionsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
