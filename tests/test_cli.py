"""`python -m tensions validate`: exit code and precise messages (run in this process, through `main`)."""

from __future__ import annotations

from tensions.cli import main
from tests.conftest import APP_ROOT


def test_validate_passes_on_the_shipped_data(monkeypatch, capsys):
    monkeypatch.delenv("TENSIONS_DATA_DIR", raising=False)
    code = main(["validate"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert out.strip() == f"{APP_ROOT.resolve() / 'data'}: valid"


def test_validate_fails_with_file_row_column_messages_on_a_broken_copy(data_copy, capsys):
    path = data_copy / "events.csv"
    path.write_text(path.read_text().replace("2024-01-28,day,Jordan", "2024-01-28,daily,Jordan"))
    code = main(["--data-dir", str(data_copy), "validate"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == ["events.csv:3:time_precision: 'daily' not one of: day, week, month"]
    assert err.strip() == f"1 problem(s) in {data_copy}"
