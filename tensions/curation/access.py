"""Who may curate. Viewing needs nothing; changing the data needs a grant issued here.

Curation is off unless it is configured: a curator password (Streamlit secrets `[curation] password`,
or the environment variable `TENSIONS_CURATOR_PASSWORD`), or an identity provider (`[auth]` for
`st.login`) together with an allow-list of e-mail addresses (`[curation] allowed_emails`). The page
decides which to offer; this module only compares, in constant time, and issues a `Grant` that the write
guard (`tensions.data.guard`) checks before anything in the data folder is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tensions.data import guard
from tensions.data.guard import Grant
from tensions.errors import NotAuthorised

PASSWORD_ENV = "TENSIONS_CURATOR_PASSWORD"
SECRETS_SECTION = "curation"
MIN_PASSWORD_LENGTH = 12
MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class AccessConfig:
    """How curation is configured; `enabled` is False until a password or a login with an allow-list is set."""

    password: str | None = field(default=None, repr=False)
    identity_provider: bool = False
    allowed_emails: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()

    @property
    def password_enabled(self) -> bool:
        return self.password is not None

    @property
    def login_enabled(self) -> bool:
        return self.identity_provider and bool(self.allowed_emails)

    @property
    def enabled(self) -> bool:
        return self.password_enabled or self.login_enabled


def _section(secrets_mapping: Mapping) -> Mapping:
    try:
        section = secrets_mapping.get(SECRETS_SECTION) or {}
    except Exception:  # Streamlit's secrets raise when no secrets file exists at all
        return {}
    return section if isinstance(section, Mapping) else {}


def access_config(secrets_mapping: Mapping, environ: Mapping[str, str]) -> AccessConfig:
    """Read the curation settings: secrets first, then the environment for the password.

    A password shorter than `MIN_PASSWORD_LENGTH` leaves password curation off and says why, so a
    weak placeholder never opens the data to writes.
    """
    section = _section(secrets_mapping)
    problems = []
    password = section.get("password") or environ.get(PASSWORD_ENV) or None
    if password is not None:
        password = str(password)
        if len(password) < MIN_PASSWORD_LENGTH:
            problems.append(
                f"the curator password is shorter than {MIN_PASSWORD_LENGTH} characters, so password sign-in is off"
            )
            password = None
    try:
        identity_provider = "auth" in secrets_mapping
    except Exception:
        identity_provider = False
    allowed = section.get("allowed_emails") or []
    if isinstance(allowed, str):
        allowed = [allowed]
    allowed_emails = frozenset(str(e).strip().casefold() for e in allowed if str(e).strip())
    if identity_provider and not allowed_emails:
        problems.append(f"an identity provider is configured but `[{SECRETS_SECTION}] allowed_emails` is empty")
    return AccessConfig(password, identity_provider, allowed_emails, tuple(problems))


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def password_matches(given: str, configured: str) -> bool:
    """Constant-time comparison (of SHA-256 digests, so neither the content nor the length leaks)."""
    return hmac.compare_digest(_digest(given), _digest(configured))


def email_allowed(email: str | None, allowed: Iterable[str]) -> bool:
    """Whether a signed-in identity is on the curators' allow-list (case-insensitive)."""
    if not email:
        return False
    wanted = email.strip().casefold()
    return any(hmac.compare_digest(wanted.encode(), str(a).strip().casefold().encode()) for a in allowed)


def _credential(config: AccessConfig, method: str, who: str) -> str:
    """What a grant is bound to: changing the password or the allow-list invalidates earlier grants."""
    if method == "password" and config.password is not None:
        return hashlib.sha256(config.password.encode("utf-8")).hexdigest()
    if method == "login" and config.login_enabled and email_allowed(who, config.allowed_emails):
        return "login:" + who.strip().casefold()
    return ""


def clean_name(name: str) -> str:
    """A curator's name as written in the audit log: one line, trimmed, bounded."""
    return " ".join(str(name).split())[:MAX_NAME_LENGTH]


def grant_for_password(given: str, config: AccessConfig, *, who: str, now: dt.datetime | None = None) -> Grant | None:
    """A grant when password curation is on and `given` is the password; None otherwise."""
    name = clean_name(who)
    if config.password is None or not name or not password_matches(given, config.password):
        return None
    return guard.issue(name, "password", _credential(config, "password", name), now=now)


def grant_for_identity(user: Mapping, config: AccessConfig, *, now: dt.datetime | None = None) -> Grant | None:
    """A grant for a signed-in identity (`st.user`) whose e-mail is on the allow-list; None otherwise."""
    if not config.login_enabled or user.get("is_logged_in") is not True:
        return None
    email = user.get("email")
    if not isinstance(email, str) or not email_allowed(email, config.allowed_emails):
        return None
    who = email.strip().casefold()
    return guard.issue(who, "login", _credential(config, "login", who), now=now)


def verify(grant: object, config: AccessConfig) -> Grant:
    """The grant itself when it was issued here under the current configuration; else `NotAuthorised`.

    The command line's grant (`guard.local_grant`) needs no configuration: its holder owns the files.
    """
    if isinstance(grant, Grant) and grant.method == guard.LOCAL:
        return guard.authorise(grant, "saving")
    if not config.enabled:
        raise NotAuthorised("curation is not configured: nothing can be saved")
    if not isinstance(grant, Grant):
        raise NotAuthorised("sign in as a curator to save changes")
    credential = _credential(config, grant.method, grant.who)
    current = bool(credential) and hmac.compare_digest(guard.binding_for(credential), grant.binding)
    if not current or not guard.issued_here(grant):
        raise NotAuthorised("this sign-in is no longer valid (the curator settings changed): sign in again")
    return grant
