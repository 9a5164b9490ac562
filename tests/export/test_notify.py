"""Delivering a sync's digest: a JSON POST to a webhook and an e-mail by SMTP, each against a stub on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from tensions.analysis.digest import Digest
from tensions.cli import main
from tensions.export.notify import NotifyFailed, NotifySettings, post_webhook, send_digest, send_email
from tests.ingest.sync.stubs import AcledStub, acled_row

DIGEST = Digest(["acled: 1 rows fetched"], 1, pd.DataFrame(), ["1 new event(s) in Iraq (threshold 1)"])


class Webhook:
    """A webhook on 127.0.0.1 that keeps every body posted to it and answers `status`."""

    def __init__(self, status: int = 204) -> None:
        self.bodies: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.bodies.append({"type": self.headers["Content-Type"], "json": json.loads(self.rfile.read(length))})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


class Smtp:
    """A minimal SMTP server on 127.0.0.1 (one client at a time) that keeps each message's envelope and data."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                conn.sendall(b"220 stub ESMTP\r\n")
                sender, recipients = "", []
                for line in lines:
                    command = line.decode().strip()
                    verb = command.split(" ", 1)[0].split(":", 1)[0].upper()
                    if verb in {"EHLO", "HELO"}:
                        conn.sendall(b"250 stub\r\n")
                    elif verb == "MAIL":
                        sender = command.split(":", 1)[1].strip(" <>")
                        conn.sendall(b"250 OK\r\n")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip(" <>"))
                        conn.sendall(b"250 OK\r\n")
                    elif verb == "DATA":
                        conn.sendall(b"354 go on\r\n")
                        data = b""
                        for body_line in lines:
                            if body_line == b".\r\n":
                                break
                            data += body_line
                        self.messages.append((sender, recipients, data))
                        conn.sendall(b"250 OK queued\r\n")
                    elif verb == "QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 OK\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def acled() -> Iterator[AcledStub]:
    with AcledStub() as stub:
        yield stub


@pytest.fixture
def data_dir(data_copy: Path) -> Path:
    return data_copy


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    server = Smtp()
    yield server
    server.close()


def test_the_digest_is_posted_to_the_webhook_as_json(webhook):
    post_webhook(webhook.url, DIGEST)
    assert webhook.bodies == [
        {
            "type": "application/json",
            "json": {"runs": ["acled: 1 rows fetched"], "new_events": 1, "index_movement": [], "alerts": DIGEST.alerts},
        }
    ]


def test_a_webhook_that_refuses_is_a_named_failure():
    refusing = Webhook(status=500)
    try:
        with pytest.raises(NotifyFailed, match="the webhook did not take the digest"):
            post_webhook(refusing.url, DIGEST)
    finally:
        refusing.server.shutdown()
        refusing.server.server_close()


def test_the_digest_is_e_mailed_to_every_recipient(smtp):
    settings = NotifySettings(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="a@example.org",
        smtp_to=("b@example.org", "c@example.org"),
    )
    send_email(settings, DIGEST)
    [(sender, recipients, data)] = smtp.messages
    assert sender == "a@example.org" and recipients == ["b@example.org", "c@example.org"]
    message = message_from_bytes(data)
    assert message["Subject"] == "Regional tensions: 1 watch-list alert(s)"
    assert "- 1 new event(s) in Iraq (threshold 1)" in message.get_payload(decode=True).decode()


def test_an_unreachable_mail_server_is_a_named_failure():
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        settings = NotifySettings(smtp_host="127.0.0.1", smtp_port=closed.getsockname()[1], smtp_to=("b@example.org",))
        with pytest.raises(NotifyFailed, match="the mail server did not take the digest"):
            send_email(settings, DIGEST, timeout=2)


def test_settings_come_from_the_environment_and_nothing_is_sent_unconfigured():
    settings = NotifySettings.from_env(
        {
            "TENSIONS_WEBHOOK_URL": " http://127.0.0.1:1/h ",
            "TENSIONS_SMTP_TO": "a@x.org, b@x.org",
            "TENSIONS_SMTP_PORT": "2525",
        }
    )
    assert settings.webhook_url == "http://127.0.0.1:1/h" and settings.smtp_to == ("a@x.org", "b@x.org")
    assert settings.smtp_port == 2525 and settings.configured
    assert not NotifySettings.from_env({}).configured
    assert send_digest(NotifySettings(), DIGEST) == []


def test_sync_posts_and_mails_the_digest_when_a_watch_list_threshold_is_crossed(
    acled, webhook, smtp, data_dir, monkeypatch, capsys
):
    acled.put(acled_row("IRQ1", "2025-03-10", 1_741_600_000, fatalities=3))
    (data_dir / "watchlist.toml").write_text('countries = ["Iraq"]\n')
    environment = {
        "TENSIONS_ACLED_URL": acled.url,
        "TENSIONS_ACLED_EMAIL": AcledStub.EMAIL,
        "TENSIONS_ACLED_PASSWORD": AcledStub.PASSWORD,
        "TENSIONS_WEBHOOK_URL": webhook.url,
        "TENSIONS_SMTP_HOST": "127.0.0.1",
        "TENSIONS_SMTP_PORT": str(smtp.port),
        "TENSIONS_SMTP_TO": "desk@example.org",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert main(["--data-dir", str(data_dir), "sync", "acled", "--since", "2025-01-01"]) == 0

    out = capsys.readouterr().out
    assert "digest posted to the webhook" in out and "digest e-mailed to 1 recipient(s)" in out
    [posted] = webhook.bodies
    assert posted["json"]["alerts"][0] == "1 new event(s) in Iraq (threshold 1)"
    assert len(smtp.messages) == 1


def test_sync_sends_nothing_when_no_threshold_is_crossed(acled, webhook, data_dir, monkeypatch, capsys):
    acled.put(acled_row("IRQ1", "2025-03-10", 1_741_600_000))
    (data_dir / "watchlist.toml").write_text('countries = ["Lebanon"]\n')
    monkeypatch.setenv("TENSIONS_ACLED_URL", acled.url)
    monkeypatch.setenv("TENSIONS_ACLED_EMAIL", AcledStub.EMAIL)
    monkeypatch.setenv("TENSIONS_ACLED_PASSWORD", AcledStub.PASSWORD)
    monkeypatch.setenv("TENSIONS_WEBHOOK_URL", webhook.url)

    assert main(["--data-dir", str(data_dir), "sync", "acled", "--since", "2025-01-01"]) == 0
    assert webhook.bodies == []
