"""The deployment folder, checked without containers (`make test` starts no container engine): the compose
file's services refer to each other and to files that exist, the app image runs the app as the README says, the proxy's
configuration passes `nginx -t` in the tests' copy (the same file with local addresses), and the secrets
example configures sign-in for curators."""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from tensions.cli import build_parser
from tensions.curation import access
from tests.conftest import APP_ROOT
from tests.deploy import harness, proxy
from tests.postgres_server import INITDB_ARGS

DEPLOY = APP_ROOT / "deploy"
VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def interpolate(value, environ: dict[str, str]):
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` in every string of a parsed file."""
    if isinstance(value, dict):
        return {key: interpolate(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, environ) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if environ.get(name):
            return environ[name]
        if kind == "?":
            raise KeyError(f"{name}: {rest}")
        return rest or ""

    return VARIABLE.sub(substitute, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return interpolate(yaml.safe_load((DEPLOY / "compose.yaml").read_text()), {"POSTGRES_PASSWORD": "s3cret"})


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_compose_needs_a_database_password_and_has_no_default():
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        interpolate(yaml.safe_load((DEPLOY / "compose.yaml").read_text()), {})


def test_every_dependency_names_a_service_and_the_start_order_is_database_migration_apps_proxy(compose):
    services = compose["services"]
    assert set(services) == {"db", "migrate", "app1", "app2", "proxy"}
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services) - {name}
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for app in ("app1", "app2"):
        assert services[app]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert services["proxy"]["depends_on"] == {
        "app1": {"condition": "service_healthy"},
        "app2": {"condition": "service_healthy"},
    }
    assert "healthcheck" in services["db"]


def test_the_database_is_created_with_the_tests_encoding_and_locale(compose):
    assert compose["services"]["db"]["environment"]["POSTGRES_INITDB_ARGS"] == " ".join(INITDB_ARGS)


def test_replicas_and_migration_share_one_database_that_the_postgres_service_creates(compose):
    services = compose["services"]
    db = services["db"]["environment"]
    urls = {services[name]["environment"]["TENSIONS_DATABASE_URL"] for name in ("migrate", "app1", "app2")}
    assert len(urls) == 1
    url = make_url(urls.pop())
    assert (url.drivername, url.host, url.port) == ("postgresql", "db", 5432)
    assert (url.username, url.password, url.database) == (db["POSTGRES_USER"], "s3cret", db["POSTGRES_DB"])
    assert services["db"]["image"] == "postgres:15"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in services["db"]["volumes"])


def test_the_migration_upgrades_the_schema_and_loads_the_bundled_tables_on_the_first_start_only(compose, tmp_path):
    """The migration's shell script, run with stand-ins for the command line and the paths: it upgrades every
    time, and copies and loads the tables only while the volume has no mark of an earlier load."""
    script = compose["services"]["migrate"]["command"]
    assert script[:2] == ["sh", "-c"]
    bundled, volume = tmp_path / "bundled", tmp_path / "volume"
    bundled.mkdir()
    volume.mkdir()
    (bundled / "events.csv").write_text("bundled")
    calls = tmp_path / "calls"
    stand_in = tmp_path / "bin" / "python"
    stand_in.parent.mkdir()
    stand_in.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    stand_in.chmod(0o755)
    run = script[2].replace("/app/data", str(bundled)).replace("/var/lib/tensions", str(volume))
    environment = {"PATH": f"{stand_in.parent}:/usr/bin:/bin"}
    for _ in range(2):
        subprocess.run(["sh", "-c", run], check=True, env=environment)
    assert calls.read_text().splitlines() == ["-m tensions db upgrade", "-m tensions db load", "-m tensions db upgrade"]
    assert (volume / "events.csv").read_text() == "bundled"
    assert compose["services"]["migrate"]["restart"] == "no"


def test_the_commands_the_migration_runs_exist(compose):
    for command in (["db", "upgrade"], ["db", "load"]):
        assert build_parser().parse_args(command).handler is not None


def test_both_replicas_build_the_image_here_and_mount_the_same_secrets_and_data(compose):
    app1, app2 = compose["services"]["app1"], compose["services"]["app2"]
    assert app1 == app2
    assert (DEPLOY / app1["build"]["context"] / app1["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    secrets = [v for v in app1["volumes"] if isinstance(v, dict)]
    assert secrets == [
        {
            "type": "bind",
            "source": "./secrets.toml",
            "target": "/app/.streamlit/secrets.toml",
            "read_only": True,
            "bind": {"create_host_path": False},
        }
    ]
    data = app1["environment"]["TENSIONS_DATA_DIR"]
    assert f"appdata:{data}" in app1["volumes"]
    assert set(compose["volumes"]) == {"pgdata", "appdata"}


def test_the_proxy_sends_to_both_replicas_on_the_port_the_image_serves(compose):
    site = (DEPLOY / "nginx.conf").read_text()
    upstream = proxy.UPSTREAM.search(site).group(2)
    servers = re.findall(r"^\s*server\s+([\w.]+):(\d+)", upstream, re.M)
    command = json.loads(dict(dockerfile())["CMD"])
    port = command[command.index("--server.port") + 1]
    assert servers == [("app1", port), ("app2", port)]
    service = compose["services"]["proxy"]
    assert service["image"].startswith("nginx:")
    assert service["volumes"] == ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert service["ports"] == ["8080:80"]
    assert re.search(r"^\s*listen 80;", site, re.M)


def test_the_proxy_is_sticky_by_a_cookie_it_sets_and_passes_websockets(compose):
    site = (DEPLOY / "nginx.conf").read_text()
    cookie = proxy.sticky_cookie(site)
    assert f"map $cookie_{cookie} $tensions_replica_key {{" in site
    assert "hash $tensions_replica_key consistent;" in site
    assert f'"{cookie}=$request_id; Path=/; HttpOnly; SameSite=Lax"' in site
    assert "proxy_set_header Upgrade $http_upgrade;" in site
    assert "proxy_set_header Connection $connection_upgrade;" in site
    assert "proxy_http_version 1.1;" in site


def test_the_image_runs_the_app_headless_as_an_unprivileged_user_with_a_health_check():
    steps = dockerfile()
    runs = [arguments for step, arguments in steps if step == "RUN"]
    assert dict(steps)["FROM"] == "python:3.11-slim"
    assert any(re.search(r"apt-get install .*\bchromium fonts-liberation\b", run) for run in runs)
    assert any("pip install -r requirements.txt" in run for run in runs)
    users = [(i, arguments) for i, (step, arguments) in enumerate(steps) if step == "USER"]
    assert users and users[-1][1] not in ("root", "0")
    assert users[-1][0] > max(i for i, (step, _) in enumerate(steps) if step == "RUN")
    assert "/_stcore/health" in dict(steps)["HEALTHCHECK"]
    assert f"{harness.WATCHER}=none" in dict(steps)["ENV"].split()  # as the tests' replicas run
    command = json.loads(dict(steps)["CMD"])
    assert command[:5] == ["python", "-m", "streamlit", "run", "serve.py"]
    assert command[command.index("--server.headless") + 1] == "true"


def test_the_image_holds_every_script_and_folder_the_app_runs_from():
    sources = set()
    for step, arguments in dockerfile():
        if step == "COPY":
            sources |= {part.rstrip("/") for part in arguments.split()[:-1] if not part.startswith("--")}
    assert all((APP_ROOT / source).exists() for source in sources)
    assert {path.name for path in APP_ROOT.glob("*.py")} <= sources
    assert {"pages", "tensions", "data", "assets", "static", ".streamlit/config.toml", "requirements.txt"} <= sources


def test_the_tests_copy_of_the_proxy_differs_only_in_addresses_and_log_and_passes_nginx_check():
    folder = proxy.private_folder()
    main = proxy.write_config(folder, ["127.0.0.1:18501", "127.0.0.1:18502"], "127.0.0.1:18080")
    original = (DEPLOY / "nginx.conf").read_text().splitlines()
    rendered = (folder / "site.conf").read_text().splitlines()
    changed = [
        line.strip()
        for line in difflib.unified_diff(original, rendered, lineterm="", n=0)
        if line.startswith("+") and not line.startswith("+++")
    ]
    assert changed == [
        "+    server 127.0.0.1:18501 max_fails=3 fail_timeout=10s;".strip(),
        "+    server 127.0.0.1:18502 max_fails=3 fail_timeout=10s;".strip(),
        "+    listen 127.0.0.1:18080;".strip(),
        f"+    access_log {folder / 'access.log'} tensions_replicas;".strip(),
    ]
    checked = proxy.check_config(main)
    assert checked.returncode == 0, checked.stderr


def test_the_tests_copy_refuses_a_different_number_of_replicas():
    with pytest.raises(ValueError, match="lists 2 replicas, not 3"):
        proxy.render_site((DEPLOY / "nginx.conf").read_text(), ["a:1", "b:2", "c:3"], "1", Path("/x"))


def test_the_secrets_example_turns_on_sign_in_for_the_listed_curators_only():
    secrets = tomllib.loads((DEPLOY / "secrets.example.toml").read_text())
    config = access.access_config(secrets, {})
    assert config.login_enabled and not config.password_enabled and config.problems == ()
    assert access.grant_for_identity({"is_logged_in": True, "email": "Curator@Example.org"}, config) is not None
    assert access.grant_for_identity({"is_logged_in": True, "email": "reader@example.org"}, config) is None
    assert set(secrets["auth"]) >= {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    }


def test_the_files_holding_passwords_are_ignored_by_git():
    ignored = (APP_ROOT / ".gitignore").read_text().splitlines()
    assert {"deploy/secrets.toml", "deploy/.env"} <= set(ignored)
