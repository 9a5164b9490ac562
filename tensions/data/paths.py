"""Where the project's files live, independent of the working directory."""

from __future__ import annotations

import os
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The curated data folder; `TENSIONS_DATA_DIR` points a test or a curator at a copy."""
    return Path(os.environ.get("TENSIONS_DATA_DIR", APP_ROOT / "data"))
