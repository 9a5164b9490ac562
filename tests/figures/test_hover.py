"""Hover cards say what is known and how well, and never let data become markup."""

from __future__ import annotations

from tensions.data.load import load_dataset
from tensions.figures.hover import hover_cards, shorten


def card(data_copy, event_id):
    events = load_dataset(data_copy).events
    return hover_cards(events)[events.index[events["event_id"] == event_id][0]]


def test_a_card_has_date_place_actors_type_fatalities_and_source(data_copy):
    text = card(data_copy, "JOR-20240128-1")
    assert text.startswith("<b>28 Jan 2024</b> · Tower 22, Jordan")
    assert "Islamic Resistance in Iraq → US forces" in text
    assert "Air/drone strike · fatalities: 3" in text
    assert "Source: US Department of Defense, 28 Jan 2024" in text
    assert "dataset: curated" in text


def test_unknown_fatalities_read_not_reported(data_copy):
    assert "fatalities: not reported" in card(data_copy, "IRQ-20240104-1")


def test_imprecise_date_and_place_are_stated(data_copy):
    text = card(data_copy, "IRQ-20250115-1")
    assert text.startswith("<b>Jan 2025 (month known)</b> · Anbar, Iraq (province only)")


def test_markup_in_the_data_is_escaped(data_copy):
    path = data_copy / "events.csv"
    path.write_text(path.read_text().replace("A one-way drone struck", "<img src=x onerror=alert(1)> struck"))
    text = card(data_copy, "JOR-20240128-1")
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_long_summaries_are_cut_at_a_word():
    assert shorten("one two three four", limit=9) == "one two…"
    assert shorten("short", limit=9) == "short"


def test_imported_rows_show_their_dataset_and_original_id(data_copy):
    events = load_dataset(data_copy).events.assign(dataset="ucdp", original_id="244657")
    assert hover_cards(events).iloc[0].endswith("dataset: ucdp (id 244657)")
