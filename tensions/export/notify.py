"""Sending a sync's digest when it crosses a watch-list threshold: a JSON POST to a webhook, or an e-mail by SMTP.

Configured from the environment (`TENSIONS_WEBHOOK_URL`; `TENSIONS_SMTP_HOST`, `TENSIONS_SMTP_PORT`,
`TENSIONS_SMTP_FROM`, `TENSIONS_SMTP_TO` (comma-separated), and optionally `TENSIONS_SMTP_USER`,
`TENSIONS_SMTP_PASSWORD`, `TENSIONS_SMTP_STARTTLS=1`). Nothing is sent when neither is set.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

from tensions.analysis.digest import Digest
from tensions.errors import TensionsError

TIMEOUT_SECONDS = 15


class NotifyFailed(TensionsError):
    """The digest could not be delivered (the webhook or the mail server refused or could not be reached)."""


@dataclass(frozen=True)
class NotifySettings:
    webhook_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = ""
    smtp_to: tuple[str, ...] = ()
    smtp_user: str = field(default="", repr=False)
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> NotifySettings:
        def get(name: str) -> str:
            return environ.get(f"TENSIONS_{name}", "").strip()

        return cls(
            webhook_url=get("WEBHOOK_URL"),
            smtp_host=get("SMTP_HOST"),
            smtp_port=int(get("SMTP_PORT") or 25),
            smtp_from=get("SMTP_FROM"),
            smtp_to=tuple(a.strip() for a in get("SMTP_TO").split(",") if a.strip()),
            smtp_user=get("SMTP_USER"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_starttls=get("SMTP_STARTTLS") in {"1", "true", "yes"},
        )

    @property
    def configured(self) -> bool:
        return bool(self.webhook_url or (self.smtp_host and self.smtp_to))


def post_webhook(url: str, digest: Digest, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """POST the digest as JSON to `url`; `NotifyFailed` unless it answers 2xx."""
    body = json.dumps(digest.to_json(), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
    except (urllib.error.URLError, OSError) as error:
        raise NotifyFailed(f"the webhook did not take the digest: {error}") from error


def send_email(settings: NotifySettings, digest: Digest, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """Send the digest as a plain-text e-mail; `NotifyFailed` when the server refuses or cannot be reached."""
    message = EmailMessage()
    message["Subject"] = f"Regional tensions: {len(digest.alerts)} watch-list alert(s)"
    message["From"] = settings.smtp_from or "tensions@localhost"
    message["To"] = ", ".join(settings.smtp_to)
    message.set_content(digest.to_text())
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as client:
            if settings.smtp_starttls:
                client.starttls()
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise NotifyFailed(f"the mail server did not take the digest: {error}") from error


def send_digest(settings: NotifySettings, digest: Digest) -> list[str]:
    """Deliver the digest wherever configured; what was done, one line each (failures raise `NotifyFailed`)."""
    done = []
    if settings.webhook_url:
        post_webhook(settings.webhook_url, digest)
        done.append("digest posted to the webhook")
    if settings.smtp_host and settings.smtp_to:
        send_email(settings, digest)
        done.append(f"digest e-mailed to {len(settings.smtp_to)} recipient(s)")
    return done
