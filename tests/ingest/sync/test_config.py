"""A page's sync settings: the secrets' `[acled]`, `[ucdp]` and `[gdelt]` sections over the environment."""

from tensions.ingest.sync.config import settings_from


def test_secrets_override_the_environment_and_blank_secrets_do_not():
    environ = {"TENSIONS_ACLED_EMAIL": "env@example.org", "TENSIONS_UCDP_TOKEN": "env-token"}
    secrets = {
        "acled": {"email": "me@example.org", "password": "pw", "url": "http://127.0.0.1:1"},
        "ucdp": {"token": " "},
    }
    settings = settings_from(secrets, environ)
    assert (settings.acled_email, settings.acled_password, settings.acled_url) == (
        "me@example.org",
        "pw",
        "http://127.0.0.1:1",
    )
    assert settings.ucdp_token == "env-token"


def test_without_secrets_the_environment_is_used_and_credentials_stay_out_of_the_repr():
    settings = settings_from({"acled": "not a section"}, {"TENSIONS_ACLED_PASSWORD": "secret-pw"})
    assert settings.acled_password == "secret-pw"
    assert "secret-pw" not in repr(settings)
