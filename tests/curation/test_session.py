"""The Curate page's session state as one object: what a save, a discard, an article and a look-up change."""

from __future__ import annotations

from tensions.curation.session import CurateSession
from tensions.curation.snapshot import load_snapshot
from tensions.errors import NothingToSave


def test_adopting_a_base_starts_the_editor_afresh_and_forgets_a_refusal(data_copy):
    session = CurateSession(refusal=NothingToSave("unchanged"))
    base = load_snapshot(data_copy)
    before = session.editor_key()
    session.adopt(base)
    assert session.base is base and session.working is base.events
    assert session.refusal is None
    assert session.editor_key() != before and session.editor_key().startswith(f"curation_editor_{base.version}_")


def test_edits_are_pending_when_rebased_or_still_in_the_editor(data_copy):
    base = load_snapshot(data_copy)
    session = CurateSession()
    session.adopt(base)
    untouched = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    assert not session.has_pending_edits(untouched)
    assert session.has_pending_edits({**untouched, "edited_rows": {0: {"notes": "Edited."}}})
    rebased = base.events.copy()
    rebased.loc[0, "notes"] = "Re-applied on a newer base."
    session.adopt(base, rebased)
    assert session.has_pending_edits(untouched)


def test_a_flash_message_is_shown_once():
    session = CurateSession(flash=("success", "Saved 1 change(s)"))
    assert session.take_flash() == ("success", "Saved 1 change(s)")
    assert session.take_flash() is None


def test_each_article_and_each_look_up_gets_a_fresh_review_table():
    session = CurateSession()
    keys = {session.intake_editor_key(), session.places_editor_key()}
    lookups = session.start_lookups(3)
    assert (lookups.total, lookups.running, lookups.results) == (3, True, [])
    assert session.lookups is lookups
    assert session.places_editor_key() not in keys
