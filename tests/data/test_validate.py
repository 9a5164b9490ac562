"""Validation names the file, row and column of every problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tensions.data.validate import validate_folder

TODAY = dt.date(2026, 11, 25)


def edit_cell(folder: Path, file_name: str, line: int, column: str, value: str) -> None:
    """Set one cell of a CSV, addressed by its file line (header is line 1)."""
    path = folder / file_name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[line - 2, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")


def messages(folder: Path) -> list[str]:
    return [str(p) for p in validate_folder(folder, today=TODAY)]


def test_fixture_data_is_valid(data_copy):
    assert messages(data_copy) == []


@pytest.mark.parametrize(
    ("file_name", "line", "column", "value", "expected"),
    [
        ("events.csv", 3, "event_date", "2024-13-28", "events.csv:3:event_date: '2024-13-28' not a valid ISO date"),
        ("events.csv", 3, "event_date", "28/01/2024", "events.csv:3:event_date: '28/01/2024' not a valid ISO date"),
        (
            "events.csv",
            3,
            "time_precision",
            "daily",
            "events.csv:3:time_precision: 'daily' not one of: day, week, month",
        ),
        ("events.csv", 3, "latitude", "40.5", "events.csv:3:latitude: (40.5, 38.7) lies outside Jordan"),
        ("events.csv", 3, "latitude", "north", "events.csv:3:latitude: 'north' not a decimal number"),
        ("events.csv", 3, "fatalities", "-4", "events.csv:3:fatalities: '-4' below 0"),
        ("events.csv", 3, "fatalities", "3.5", "events.csv:3:fatalities: '3.5' not a whole number"),
        ("events.csv", 3, "actor1", "US forcez", "events.csv:3:actor1: unknown actor 'US forcez'"),
        ("events.csv", 3, "location", "Atlantis", "events.csv:3:location: unknown place 'Atlantis'"),
        (
            "events.csv",
            3,
            "sub_event_type",
            "Ceasefire or truce",
            "events.csv:3:sub_event_type: 'Ceasefire or truce' belongs to 'Agreements'",
        ),
        ("events.csv", 3, "event_id", "IRQ-20240104-1", "events.csv:3:event_id: duplicate value 'IRQ-20240104-1'"),
        ("events.csv", 3, "event_date", "2027-01-28", "events.csv:3:event_date: 2027-01-28 is in the future"),
        ("events.csv", 3, "label", "", "events.csv:3:label: a `key` event needs a label"),
        ("events.csv", 3, "attribution", "probably Iran", "events.csv:3:attribution: 'probably Iran' does not match"),
        ("events.csv", 3, "source_url", "not a link", "events.csv:3:source_url: 'not a link' does not match"),
        ("events.csv", 3, "notes", "", "events.csv:3:notes: is empty but required"),
        ("actors.csv", 2, "kind", "wizard", "actors.csv:2:kind: 'wizard' not one of"),
        ("actors.csv", 2, "parent", "Nobody", "actors.csv:2:parent: unknown actor 'Nobody'"),
        ("places.csv", 2, "aliases", "Beyrouth", "places.csv:5:aliases: 'Beyrouth' also names 'Baghdad'"),
        ("places.csv", 2, "country", "Jordan", "places.csv:2:latitude: (33.34058, 44.40088) lies outside Jordan"),
    ],
)
def test_a_broken_cell_is_reported_with_file_row_and_column(data_copy, file_name, line, column, value, expected):
    edit_cell(data_copy, file_name, line, column, value)
    found = messages(data_copy)
    assert any(message.startswith(expected) for message in found), found


def test_an_affiliation_loop_is_reported(data_copy):
    path = data_copy / "actors.csv"
    actors = pd.read_csv(path, dtype=str, keep_default_na=False)
    actors.loc[actors["actor"] == "Iran", "parent"] = "Kataib Hezbollah"
    actors.to_csv(path, index=False)
    assert any("affiliation chain loops back" in m and m.startswith("actors.csv:") for m in messages(data_copy))


def test_a_near_duplicate_event_is_flagged(data_copy):
    path = data_copy / "events.csv"
    events = pd.read_csv(path, dtype=str, keep_default_na=False)
    copy = events.iloc[[0]].assign(event_id="IRQ-20240104-2")
    pd.concat([events, copy]).to_csv(path, index=False)
    assert "events.csv:8:event_id: possible duplicate of line 2 (same date, place, actors and sub-type)" in messages(
        data_copy
    )


def test_a_missing_required_column_is_reported_on_the_header_row(data_copy):
    path = data_copy / "events.csv"
    pd.read_csv(path, dtype=str).drop(columns=["source"]).to_csv(path, index=False)
    assert "events.csv:1:source: required column is missing" in messages(data_copy)


def test_a_missing_file_is_reported(data_copy):
    (data_copy / "places.csv").unlink()
    assert messages(data_copy)[0].startswith("places.csv:0:: file not found")


def test_a_report_dated_before_its_event_is_flagged(data_copy):
    edit_cell(data_copy, "events.csv", 2, "source_date", "2024-01-01")
    assert "events.csv:2:source_date: the report predates the event" in messages(data_copy)


@pytest.mark.parametrize(
    ("source", "url", "expected"),
    [
        ("Reuters", "https://www.example-mirror.com/world/story", "www.example-mirror.com is not a site of Reuters"),
        ("Shafaq News", "https://reuters.com/a", "reuters.com is not a site of Shafaq News"),
        ("Tiny Blog", "https://tinyblog.net/a", "publisher 'Tiny Blog' has no domains listed"),
        ("Reuters", "ftp://reuters.com/a", "'ftp://reuters.com/a' is not a web address"),
    ],
)
def test_a_source_url_off_its_publishers_site_is_reported(data_copy, source, url, expected):
    edit_cell(data_copy, "events.csv", 3, "source", source)
    edit_cell(data_copy, "events.csv", 3, "source_url", url)
    found = messages(data_copy)
    assert any(m.startswith(f"events.csv:3:source_url: {expected}") for m in found), found


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("Reuters", "https://www.reuters.com/world/middle-east/a-story"),
        ("Dawn (AFP)", "https://www.dawn.com/news/123"),  # a wire story on a newspaper's site is that newspaper's
        ("Shafaq News", "https://shafaq.com/en/Iraq/a-story"),
    ],
)
def test_a_source_url_on_its_publishers_own_site_passes(data_copy, source, url):
    edit_cell(data_copy, "events.csv", 3, "source", source)
    edit_cell(data_copy, "events.csv", 3, "source_url", url)
    assert messages(data_copy) == []


DEATHS_UNREPORTED = "events.csv:3:fatalities: notes report deaths but the figure is empty"


@pytest.mark.parametrize(
    ("notes", "flagged"),
    [
        ("A drone strike killed two fighters.", True),
        ("Three people died in the blast.", True),
        ("The commander was assassinated in his car.", True),
        ("A drone strike killed two fighters; toll not reported by name.", False),
        ("Several were killed; toll disputed between the parties.", False),
        ("The strike answered the killing of a commander the week before.", False),
        ("A drone hit an empty warehouse.", False),
    ],
)
def test_deaths_in_notes_need_a_figure_or_a_stated_reason(data_copy, notes, flagged):
    edit_cell(data_copy, "events.csv", 3, "fatalities", "")
    edit_cell(data_copy, "events.csv", 3, "notes", notes)
    found = messages(data_copy)
    assert any(m.startswith(DEATHS_UNREPORTED) for m in found) == flagged, found


def test_deaths_in_the_notes_of_talks_are_other_events(data_copy):
    edit_cell(data_copy, "events.csv", 3, "event_type", "Diplomacy and talks")
    edit_cell(data_copy, "events.csv", 3, "sub_event_type", "Official statement")
    edit_cell(data_copy, "events.csv", 3, "fatalities", "")
    edit_cell(data_copy, "events.csv", 3, "notes", "The minister condemned the strike that killed two soldiers.")
    assert not any(m.startswith(DEATHS_UNREPORTED) for m in messages(data_copy))
