"""Atomic writes replace a file whole and keep its permissions."""

from __future__ import annotations

import os

import pandas as pd

from tensions.data.atomic import write_bytes_atomically, write_csv_atomically


def test_a_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("old")
    path.chmod(0o640)
    write_bytes_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_new_file_follows_the_umask_like_any_file_the_user_creates(tmp_path):
    previous = os.umask(0o022)
    try:
        write_bytes_atomically(tmp_path / "brief.json", b"{}")
    finally:
        os.umask(previous)
    assert (tmp_path / "brief.json").stat().st_mode & 0o777 == 0o644


def test_no_temporary_file_is_left_behind(tmp_path):
    write_csv_atomically(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]
