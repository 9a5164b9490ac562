"""Tags on events: a semicolon list, of which `key` marks the events a briefing labels."""

from __future__ import annotations

import numpy as np
import pandas as pd


def is_key_event(events: pd.DataFrame) -> pd.Series:
    """Events tagged `key` (tags are a semicolon list): the ones a briefing labels."""
    tags = events["tags"].astype("string")
    # A plain substring test first (fast on Arrow strings); the exact tag test only where it matched.
    maybe = tags.str.contains("key", regex=False).fillna(False).to_numpy(dtype=bool)
    found = np.zeros(len(events), dtype=bool)
    if maybe.any():
        exact = tags[maybe].str.contains(r"(?:^|;)\s*key\s*(?:;|$)", regex=True).fillna(False)
        found[maybe] = exact.to_numpy(dtype=bool)
    return pd.Series(found, index=events.index)
