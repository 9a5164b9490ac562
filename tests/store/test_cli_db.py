"""`python -m tensions db upgrade|load|dump`: exit codes and messages (run in this process, through `main`)."""

from __future__ import annotations

import sqlalchemy as sa

from tensions.bench.browser import free_port
from tensions.cli import main
from tensions.data.guard import local_grant
from tensions.store import curated
from tensions.store.engine import engine_for
from tensions.store.migrate import head_revision
from tests.conftest import run_outside_a_transaction


def test_without_a_database_url_db_commands_exit_2_saying_how_to_set_one(capsys):
    assert main(["db", "upgrade"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: no database is configured: set TENSIONS_DATABASE_URL")


def test_an_unreachable_server_exits_2_with_a_message_not_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv("TENSIONS_DATABASE_URL", f"postgresql://nobody:secret@127.0.0.1:{free_port()}/tensions")
    assert main(["db", "load"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the database postgresql+psycopg://nobody:***@127.0.0.1:")
    assert "secret" not in err and "Traceback" not in err


def test_upgrade_load_and_dump_from_the_command_line(monkeypatch, postgres_server, data_copy, tmp_path, capsys):
    run_outside_a_transaction(postgres_server.url(), "CREATE DATABASE from_the_command_line")
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_server.url("from_the_command_line"))
    assert main(["db", "upgrade"]) == 0
    assert f"schema at revision {head_revision()} (the newest)" in capsys.readouterr().out
    assert main(["--data-dir", str(data_copy), "db", "load"]) == 0
    assert "rows from events.csv" in capsys.readouterr().out
    assert main(["--data-dir", str(data_copy), "db", "load"]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["--data-dir", str(data_copy), "db", "load", "--replace"]) == 0
    dump = tmp_path / "new" / "dump"  # as the README's `db dump --to` in the deployment: a folder not made yet
    assert main(["db", "dump", "--to", str(dump)]) == 0
    assert (dump / "events.csv").read_bytes() == (data_copy / "events.csv").read_bytes()


def test_load_of_invalid_files_prints_each_problem_and_exits_1(monkeypatch, postgres_url, data_copy, capsys):
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    path = data_copy / "events.csv"
    path.write_text(path.read_text().replace("2024-01-28,day,Jordan", "2024-01-28,daily,Jordan"))
    assert main(["--data-dir", str(data_copy), "db", "load"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == ["events.csv:3:time_precision: 'daily' not one of: day, week, month"]
    assert "nothing was loaded" in err


def test_commands_that_read_the_curated_tables_read_the_database_when_it_is_the_store(
    monkeypatch, postgres_url, data_copy, tmp_path, capsys
):
    from tensions.data.guard import local_grant
    from tensions.store import curated

    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    empty = tmp_path / "no-csv-files"
    empty.mkdir()
    assert main(["--data-dir", str(empty), "trends", "--as-of", "2025-03-31"]) == 0
    assert "Trends for 2025-03" in capsys.readouterr().out


def test_geocode_fills_the_databases_events_through_the_curated_save(postgres_url, monkeypatch, data_copy, capsys):
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    with engine_for(postgres_url).begin() as connection:
        first = connection.execute(sa.text("SELECT event_id FROM events ORDER BY row_order LIMIT 1")).scalar()
        connection.execute(
            sa.text("UPDATE events SET latitude = NULL, longitude = NULL WHERE event_id = :id"), {"id": first}
        )
    before = (data_copy / "events.csv").read_bytes()
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)

    assert main(["--data-dir", str(data_copy), "geocode"]) == 0

    assert "filled coordinates of 1 event(s)" in capsys.readouterr().out
    with engine_for(postgres_url).connect() as connection:
        filled = connection.execute(
            sa.text("SELECT latitude, longitude FROM events WHERE event_id = :id"), {"id": first}
        ).one()
        audited = connection.execute(
            sa.text("SELECT action, key, changes FROM audit_log WHERE action <> 'loaded'")
        ).all()
    assert tuple(filled) == ("33.34058", "44.40088")  # the gazetteer's Baghdad
    assert [(action, key, sorted(changes)) for action, key, changes in audited] == [
        ("edited", first, ["latitude", "longitude"])
    ]
    assert (data_copy / "events.csv").read_bytes() == before  # the files are not the store
