"""Where the project's files live, independent of the working directory."""

from __future__ import annotations

import os
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The curated data folder; `TENSIONS_DATA_DIR` points a test or a curator at a copy."""
    return Path(os.environ.get("TENSIONS_DATA_DIR", APP_ROOT / "data"))


def shown_path(path: Path) -> str:
    """`path` as a viewer may see it: relative to the app, or else to the data folder's parent (so
    `data/events.csv` wherever the data lives), or else its bare name.

    Messages on the pages use this, so they never reveal where on the server the files are kept.
    """
    resolved = Path(path).resolve()
    for root in (APP_ROOT, data_dir().resolve().parent):
        if resolved.is_relative_to(root):
            return resolved.relative_to(root).as_posix()
    return resolved.name
