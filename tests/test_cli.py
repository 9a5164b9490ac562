"""`python -m tensions validate`: exit code and precise messages."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import APP_ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tensions", *args], cwd=APP_ROOT, capture_output=True, text=True, timeout=120
    )


def test_validate_passes_on_the_shipped_data():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("valid")


def test_validate_fails_with_file_row_column_messages_on_a_broken_copy(data_copy):
    path = data_copy / "events.csv"
    path.write_text(path.read_text().replace("2024-01-28,day,Jordan", "2024-01-28,daily,Jordan"))
    result = run_cli("--data-dir", str(data_copy), "validate")
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["events.csv:3:time_precision: 'daily' not one of: day, week, month"]
