"""The sync settings a page uses: Streamlit's secrets sections `[acled]`, `[ucdp]` and `[gdelt]` over the
environment (`SyncSettings.from_env`). The package takes the values only; they are never shown or stored."""

from __future__ import annotations

from collections.abc import Mapping

from tensions.ingest.sync.base import SyncSettings

# (secrets section, key) for each setting.
SECRET_KEYS: dict[str, tuple[str, str]] = {
    "acled_url": ("acled", "url"),
    "acled_email": ("acled", "email"),
    "acled_password": ("acled", "password"),
    "ucdp_url": ("ucdp", "url"),
    "ucdp_token": ("ucdp", "token"),
    "gdelt_url": ("gdelt", "url"),
}


def settings_from(secrets: Mapping, environ: Mapping[str, str]) -> SyncSettings:
    """Settings from the environment, each overridden by its secret when that is set."""
    found = {}
    for name, (section, key) in SECRET_KEYS.items():
        value = (secrets.get(section) or {}).get(key) if isinstance(secrets.get(section), Mapping) else None
        if isinstance(value, str) and value.strip():
            found[name] = value.strip()
    environment = {var: value for var, value in environ.items() if var not in _overridden(found)}
    return SyncSettings.from_env(environment, **found)


def _overridden(found: Mapping[str, str]) -> set[str]:
    """The environment variables whose settings a secret sets."""
    return {SyncSettings.ENVIRONMENT[name] for name in found}
