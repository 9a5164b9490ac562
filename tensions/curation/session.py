"""What the Curate page remembers between reruns of one browser session, as one typed object.

The page keeps a `CurateSession` under a single session key instead of a dozen prefixed ones: the tables
it edits, edits waiting to be saved, the article being read, the places being looked up, and the one
message to show after a rerun. The curator's grant is not in it: every page reads that (`ui.GRANT_KEY`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tensions.curation import editor
from tensions.curation.intake.records import IntakeResult
from tensions.curation.places import PlaceProposal
from tensions.curation.snapshot import Snapshot
from tensions.errors import TensionsError

# The widget keys of each tab start with these; signing out clears them with the session.
WIDGET_PREFIXES: tuple[str, ...] = ("curation_", "intake_", "places_", "add_", "review_")


@dataclass
class PlaceLookups:
    """The Places tab's batch of look-ups: the answers so far, out of how many, and whether it is still going
    (a run that stopped while `running` was cancelled by the curator)."""

    results: list[PlaceProposal] = field(default_factory=list)
    total: int = 0
    running: bool = False


@dataclass
class CurateSession:
    """The Curate page's state for one browser session."""

    base: Snapshot | None = None  # the tables as loaded (or last saved): what edits are compared with
    working: pd.DataFrame | None = None  # the events with edits re-applied on a newer base, not yet saved
    editor_generation: int = 0  # a new number gives the table editor a new key, dropping its edits
    refusal: TensionsError | None = None  # why the last save of the table's edits was refused
    flash: tuple[str, str] | None = None  # (kind, message) to show once, after the rerun a save causes
    add_problems: list = field(default_factory=list)  # the event being added: its problems, under its fields
    add_reset: bool = False  # empty the Add form on the next run (after a save)
    intake: IntakeResult | None = None  # the article read, its matches and drafts
    intake_review: pd.DataFrame | None = None  # the drafts as the curator reviews them
    intake_generation: int = 0
    lookups: PlaceLookups | None = None
    places_generation: int = 0
    review_generation: int = 0  # a new number gives the review queue's draft editor a new key

    def adopt(self, base: Snapshot, working: pd.DataFrame | None = None) -> None:
        """Work from `base` (after loading or saving); the table editor starts afresh."""
        self.base = base
        self.working = base.events if working is None else working
        self.editor_generation += 1
        self.refusal = None

    def editor_key(self) -> str:
        """The table editor's widget key: new with every base and every `adopt`."""
        version = self.base.version if self.base is not None else "none"
        return f"curation_editor_{version}_{self.editor_generation}"

    def has_pending_edits(self, editor_state: object) -> bool:
        """Edits not saved yet: re-applied on a newer base, or still in the table editor (`editor_state`)."""
        if self.base is None:
            return False
        rebased = self.working is not None and not self.working.equals(self.base.events)
        return rebased or editor.pending_editor_changes(editor_state)

    def read_article(self, result: IntakeResult, review: pd.DataFrame) -> None:
        """Show `result` with its drafts in a fresh review table."""
        self.intake, self.intake_review = result, review
        self.intake_generation += 1

    def intake_editor_key(self) -> str:
        return f"intake_editor_{self.intake_generation}"

    def start_lookups(self, total: int) -> PlaceLookups:
        """A new batch of `total` look-ups, shown in a fresh review table."""
        self.lookups = PlaceLookups(total=total, running=True)
        self.places_generation += 1
        return self.lookups

    def places_editor_key(self) -> str:
        return f"places_editor_{self.places_generation}"

    def take_flash(self) -> tuple[str, str] | None:
        """The message to show now, shown once."""
        flash, self.flash = self.flash, None
        return flash
