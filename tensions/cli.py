"""`python -m tensions …`: a thin command line over the package's functions."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tensions.atomic import write_csv_atomically
from tensions.docs import update_file
from tensions.errors import TensionsError
from tensions.gazetteer import Gazetteer
from tensions.geocode import (
    LookupReport,
    NominatimLookup,
    append_places,
    fill_event_coordinates,
    geocode_unknown_places,
)
from tensions.paths import data_dir
from tensions.schema import EVENTS, PLACES, to_typed
from tensions.validate import read_tables, validate_folder


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
    tables, problems = read_tables(args.data_dir)
    if problems:
        for problem in problems:
            print(problem)
        return 1
    events, places = tables[EVENTS.file_name], tables[PLACES.file_name]
    report = LookupReport()
    if args.online:
        lookup = NominatimLookup(
            user_agent=args.user_agent, domain=args.domain, scheme=args.scheme, timeout=args.timeout
        )
        found = geocode_unknown_places(events, Gazetteer(to_typed(places, PLACES)), lookup, report)
        if found:
            places = append_places(places, found, geocoder=lookup.name, today=dt.date.today())
            write_csv_atomically(places, Path(args.data_dir) / PLACES.file_name)
    filled = fill_event_coordinates(events, Gazetteer(to_typed(places, PLACES)), report)
    if report.filled_lines:
        write_csv_atomically(filled, Path(args.data_dir) / EVENTS.file_name)
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
    print(f"{path}: {'updated' if update_file(path) else 'already up to date'}")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except TensionsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
