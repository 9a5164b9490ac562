"""Who may curate: off unless configured, constant-time password checks, grants that cannot be forged."""

from __future__ import annotations

import dataclasses

import pytest

from tensions.curation import access
from tensions.errors import NotAuthorised

PASSWORD = "correct horse battery staple"


def test_curation_is_off_without_any_configuration():
    config = access.access_config({}, {})
    assert not config.enabled
    assert config.problems == ()


def test_a_password_in_secrets_enables_password_curation():
    config = access.access_config({"curation": {"password": PASSWORD}}, {})
    assert config.password_enabled and config.enabled


def test_a_password_in_the_environment_enables_password_curation():
    config = access.access_config({}, {access.PASSWORD_ENV: PASSWORD})
    assert config.password_enabled


def test_a_short_password_leaves_curation_off_and_says_why():
    config = access.access_config({}, {access.PASSWORD_ENV: "letmein"})
    assert not config.enabled
    assert "shorter than 12 characters" in config.problems[0]


def test_an_identity_provider_without_an_allow_list_does_not_enable_curation():
    config = access.access_config({"auth": {"client_id": "x"}}, {})
    assert config.identity_provider and not config.login_enabled and not config.enabled
    assert "allowed_emails" in config.problems[0]


def test_an_identity_provider_with_an_allow_list_enables_login_curation():
    config = access.access_config({"auth": {"client_id": "x"}, "curation": {"allowed_emails": ["Ann@Example.org"]}}, {})
    assert config.login_enabled
    assert config.allowed_emails == frozenset({"ann@example.org"})


def test_secrets_that_cannot_be_read_count_as_no_configuration():
    class NoSecretsFile(dict):
        def get(self, *args):
            raise FileNotFoundError("no secrets.toml")

        def __contains__(self, key):
            raise FileNotFoundError("no secrets.toml")

    assert not access.access_config(NoSecretsFile(), {}).enabled


@pytest.mark.parametrize(
    ("given", "expected"),
    [(PASSWORD, True), (PASSWORD + " ", False), (PASSWORD.upper(), False), ("", False), (PASSWORD[:-1], False)],
)
def test_password_matches_only_the_exact_password(given, expected):
    assert access.password_matches(given, PASSWORD) is expected


def test_password_comparison_is_constant_time(monkeypatch):
    calls = []
    real = access.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    access.password_matches("guess", PASSWORD)
    assert len(calls) == 1
    assert len(calls[0][0]) == len(calls[0][1]) == 32  # digests: equal length whatever was typed


def test_the_right_password_and_a_name_give_a_grant_that_verifies():
    config = access.AccessConfig(password=PASSWORD)
    grant = access.grant_for_password(PASSWORD, config, who="  Ann   Curator ")
    assert grant is not None and grant.who == "Ann Curator" and grant.method == "password"
    assert access.verify(grant, config) is grant


@pytest.mark.parametrize(("given", "who"), [("wrong password", "Ann"), (PASSWORD, ""), (PASSWORD, "   ")])
def test_a_wrong_password_or_an_empty_name_gives_no_grant(given, who):
    assert access.grant_for_password(given, access.AccessConfig(password=PASSWORD), who=who) is None


def test_no_grant_when_password_curation_is_off():
    assert access.grant_for_password(PASSWORD, access.AccessConfig(), who="Ann") is None


def test_a_hand_made_grant_is_refused():
    config = access.AccessConfig(password=PASSWORD)
    forged = access.Grant("Mallory", "password", "2025-01-01T00:00:00+00:00", token="0" * 64)
    with pytest.raises(NotAuthorised):
        access.verify(forged, config)


def test_a_grant_with_a_changed_name_is_refused():
    config = access.AccessConfig(password=PASSWORD)
    grant = access.grant_for_password(PASSWORD, config, who="Ann")
    with pytest.raises(NotAuthorised):
        access.verify(dataclasses.replace(grant, who="Mallory"), config)


def test_changing_the_password_invalidates_earlier_grants():
    grant = access.grant_for_password(PASSWORD, access.AccessConfig(password=PASSWORD), who="Ann")
    with pytest.raises(NotAuthorised, match="sign in again"):
        access.verify(grant, access.AccessConfig(password=PASSWORD + " rotated"))


def test_turning_curation_off_invalidates_every_grant():
    grant = access.grant_for_password(PASSWORD, access.AccessConfig(password=PASSWORD), who="Ann")
    with pytest.raises(NotAuthorised, match="not configured"):
        access.verify(grant, access.AccessConfig())


@pytest.mark.parametrize("not_a_grant", [None, "Ann", {"who": "Ann", "token": "x"}])
def test_anything_but_a_grant_is_refused(not_a_grant):
    with pytest.raises(NotAuthorised):
        access.verify(not_a_grant, access.AccessConfig(password=PASSWORD))


LOGIN = access.AccessConfig(identity_provider=True, allowed_emails=frozenset({"ann@example.org"}))


def test_a_signed_in_listed_identity_gets_a_grant():
    grant = access.grant_for_identity({"is_logged_in": True, "email": "Ann@Example.org"}, LOGIN)
    assert grant is not None and grant.who == "ann@example.org" and grant.method == "login"
    access.verify(grant, LOGIN)


@pytest.mark.parametrize(
    "user",
    [
        {"is_logged_in": True, "email": "mallory@example.org"},
        {"is_logged_in": False, "email": "ann@example.org"},
        {"email": "ann@example.org"},  # AppTest's default user: an e-mail but no sign-in
        {"is_logged_in": True},
    ],
)
def test_unlisted_or_signed_out_identities_get_no_grant(user):
    assert access.grant_for_identity(user, LOGIN) is None


def test_removing_an_address_from_the_allow_list_invalidates_its_grant():
    grant = access.grant_for_identity({"is_logged_in": True, "email": "ann@example.org"}, LOGIN)
    reduced = dataclasses.replace(LOGIN, allowed_emails=frozenset({"bob@example.org"}))
    with pytest.raises(NotAuthorised):
        access.verify(grant, reduced)


def test_the_grant_token_does_not_show_in_its_repr():
    grant = access.grant_for_password(PASSWORD, access.AccessConfig(password=PASSWORD), who="Ann")
    assert grant.token not in repr(grant)
    assert PASSWORD not in repr(access.AccessConfig(password=PASSWORD))
