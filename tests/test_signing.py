"""Signed, expiring links: what passes, and every way a link is refused."""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from silverplatter.services.signing import LIFETIMES, InvalidLink, Signer, signer_for
from silverplatter.services.workspace import init_workspace
from silverplatter.settings import Settings, get_settings
from silverplatter.storage.schema import workspace

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = "k" * 48
SIGNER = Signer(KEY)
NOT_OURS = "This link is not valid: it was altered or not made by us."
EXPIRED = "This link has expired; ask for a new one."
ALPHABET = string.ascii_letters + string.digits + "-_"


def _refusal(signer: Signer, purpose: str, token: str, now: datetime = NOW) -> InvalidLink:
    with pytest.raises(InvalidLink) as caught:
        signer.verify(purpose, token, now=now)
    return caught.value


def test_a_link_signed_for_a_purpose_reads_back_its_payload() -> None:
    token = SIGNER.sign("download", {"m": 3, "c": 7}, now=NOW)
    assert SIGNER.verify("download", token, now=NOW) == {"m": 3, "c": 7}
    assert SIGNER.verify("download", token, now=NOW + timedelta(days=6)) == {"m": 3, "c": 7}
    assert set(token) <= set(ALPHABET + ".")


@pytest.mark.parametrize("purpose", sorted(LIFETIMES))
def test_every_purpose_round_trips(purpose: str) -> None:
    token = SIGNER.sign(purpose, {"c": 41}, now=NOW)
    assert SIGNER.verify(purpose, token, now=NOW) == {"c": 41}


def test_lifetimes_of_each_kind_of_link() -> None:
    expected = {
        "opt_in": timedelta(days=7),
        "download": timedelta(days=7),
        "unsubscribe": timedelta(days=365),
        "tracking": timedelta(days=365),
        "open": timedelta(days=365),
        "click": timedelta(days=365),
    }
    assert expected == LIFETIMES


@pytest.mark.parametrize("purpose", sorted(LIFETIMES))
def test_a_link_expires_one_second_after_its_lifetime(purpose: str) -> None:
    token = SIGNER.sign(purpose, {"s": 5}, now=NOW)
    last_moment = NOW + LIFETIMES[purpose]
    assert SIGNER.verify(purpose, token, now=last_moment) == {"s": 5}
    refused = _refusal(SIGNER, purpose, token, last_moment + timedelta(seconds=1))
    assert refused.expired is True
    assert str(refused) == EXPIRED


def test_a_link_made_with_another_key_is_refused() -> None:
    forged = Signer("another key of the same length as ours!!").sign("opt_in", {"s": 1}, now=NOW)
    refused = _refusal(SIGNER, "opt_in", forged)
    assert refused.expired is False
    assert str(refused) == NOT_OURS


@pytest.mark.parametrize(
    "token",
    [
        "",
        "hello",
        "eyJzIjoxfQ",
        "eyJzIjoxfQ.aaTTAA",
        "eyJzIjoxfQ.aaTTAA.",
        "eyJzIjoxfQ.aaTTAA.!!!",
        "eyJzIjoxfQ.aaTTAA.sPOJw9usp90vJCiYkZLpQRZ2V_o",
        "ä.ö.å",
    ],
)
def test_made_up_tokens_are_refused(token: str) -> None:
    refused = _refusal(SIGNER, "opt_in", token)
    assert (refused.expired, str(refused)) == (False, NOT_OURS)


def _one_character_changes(token: str, start: int, end: int) -> Iterator[str]:
    for position in range(start, end):
        for replacement in ALPHABET:
            if replacement != token[position]:
                yield token[:position] + replacement + token[position + 1 :]


def test_every_one_character_change_of_the_payload_is_refused() -> None:
    token = SIGNER.sign("download", {"m": 3, "c": 7}, now=NOW)
    payload_end = token.index(".")
    altered = list(_one_character_changes(token, 0, payload_end))
    assert len(altered) == payload_end * 63
    accepted = []
    for candidate in altered:
        try:
            accepted.append(SIGNER.verify("download", candidate, now=NOW))
        except InvalidLink as refused:
            assert refused.expired is False
    assert accepted == []


def test_every_one_character_change_of_the_signature_is_refused() -> None:
    """Including the spellings of the last character that decode to the same bytes."""
    token = SIGNER.sign("download", {"m": 3, "c": 7}, now=NOW)
    signature_start = token.rindex(".") + 1
    altered = list(_one_character_changes(token, signature_start, len(token)))
    assert len(altered) == 27 * 63
    accepted = []
    for candidate in altered:
        try:
            accepted.append(SIGNER.verify("download", candidate, now=NOW))
        except InvalidLink as refused:
            assert str(refused) == NOT_OURS
    assert accepted == []


def test_a_changed_timestamp_is_refused_not_taken_for_a_fresh_link() -> None:
    token = SIGNER.sign("download", {"m": 3, "c": 7}, now=NOW - timedelta(days=30))
    payload, _stamp, signature = token.split(".")
    fresh_stamp = SIGNER.sign("download", {"m": 3, "c": 7}, now=NOW).split(".")[1]
    refused = _refusal(SIGNER, "download", f"{payload}.{fresh_stamp}.{signature}")
    assert (refused.expired, str(refused)) == (False, NOT_OURS)
    assert _refusal(SIGNER, "download", token).expired is True


def test_a_link_for_one_purpose_never_passes_for_another() -> None:
    for purpose in LIFETIMES:
        token = SIGNER.sign(purpose, {"c": 7}, now=NOW)
        for other in LIFETIMES:
            if other != purpose:
                refused = _refusal(SIGNER, other, token)
                assert (refused.expired, str(refused)) == (False, NOT_OURS)


def test_a_token_whose_payload_is_not_an_object_is_refused() -> None:
    from itsdangerous import URLSafeTimedSerializer

    listed = URLSafeTimedSerializer(KEY, salt="silverplatter.opt_in").dumps([1, 2])
    signed_at = datetime.now(UTC) + timedelta(seconds=5)
    assert str(_refusal(SIGNER, "opt_in", listed, signed_at)) == NOT_OURS


LONG_URL = (
    "https://seller.example/guide?utm_source=newsletter&utm_medium=email&utm_campaign=newsletter"
)


def test_tokens_are_written_as_itsdangerous_writes_them() -> None:
    """The signer writes tokens itself (a keyed HMAC made once per purpose, not per token);
    they are the very bytes ``URLSafeTimedSerializer`` makes, so links already sent and
    links sent now read the same way."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    assert SIGNER.sign("open", {"s": 7}, now=NOW) == "eyJzIjo3fQ.aaVRkA.NPcs9BCLZkyf4ScFz6hcWgKBKgI"
    compressed = SIGNER.sign("click", {"s": 7, "u": LONG_URL}, now=NOW)
    assert compressed == (
        ".eJxNy0sKhTAMRuG9ZOBI7FAoiEuRoj9aSFSaBIXL3buPkdOPc36kFNuanCItZrvGEBTMKA3OJDsjzJ4n9G4y6OZlRL"
        "fiUIYZSvWoYMouHSRlfmG8v5Tn9RPS_wLMvyeC.aaVRkA.KChMQyA2lyqaspBtb8jXDbtFEjY"
    )
    payloads: list[dict[str, object]] = [
        {},
        {"s": 7},
        {"c": 41, "s": 123_456_789},
        {"s": 7, "u": LONG_URL},
        {"s": 8, "u": "https://exämple.fi/päivä?q=" + "a" * 300},
        {"name": "Müller & Söhne", "n": [1, 2, None, True]},
    ]

    def signing_at(moment: datetime) -> type[TimestampSigner]:
        class AtMoment(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(moment.timestamp())

        return AtMoment

    for moment in (NOW, NOW + timedelta(seconds=1), datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)):
        for purpose in sorted(LIFETIMES):
            reference = URLSafeTimedSerializer(
                KEY, salt=f"silverplatter.{purpose}", signer=signing_at(moment)
            )
            for payload in payloads:
                token = SIGNER.sign(purpose, payload, now=moment)
                assert token == reference.dumps(payload), (purpose, payload, moment)
                assert SIGNER.verify(purpose, token, now=moment) == payload


def test_an_unknown_purpose_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown link purpose 'newsletter'"):
        SIGNER.sign("newsletter", {"c": 1}, now=NOW)


@pytest.fixture
def no_configured_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SILVERPLATTER_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_workspace_key_signs_when_no_secret_key_is_configured(
    engine: Engine, no_configured_key: None
) -> None:
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.connect() as connection:
        stored = connection.execute(select(workspace.c.signing_key)).scalar_one()
        signer = signer_for(connection, Settings(_env_file=None))  # type: ignore[call-arg]
        from_environment = signer_for(connection)
    assert len(stored) == 64
    assert signer == Signer(stored) == from_environment
    token = signer.sign("unsubscribe", {"c": 9}, now=NOW)
    assert Signer(stored).verify("unsubscribe", token, now=NOW) == {"c": 9}


def test_the_configured_secret_key_wins_over_the_workspace_key(
    engine: Engine, no_configured_key: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_workspace(engine, name="Seller Oy", now=NOW)
    monkeypatch.setenv("SILVERPLATTER_SECRET_KEY", "configured secret key for links")
    get_settings.cache_clear()
    with engine.connect() as connection:
        stored = connection.execute(select(workspace.c.signing_key)).scalar_one()
        configured = signer_for(connection)
        given = signer_for(connection, Settings(secret_key="given key"))  # type: ignore[arg-type]
        workspace_signer = signer_for(connection, Settings(secret_key=""))  # type: ignore[arg-type]
    assert configured == Signer("configured secret key for links")
    assert given == Signer("given key")
    assert workspace_signer == Signer(stored)
    token = configured.sign("download", {"m": 1, "c": 2}, now=NOW)
    refused = _refusal(workspace_signer, "download", token)
    assert (refused.expired, str(refused)) == (False, NOT_OURS)


def test_a_workspace_without_a_key_says_how_to_make_one(
    engine: Engine, no_configured_key: None
) -> None:
    with engine.connect() as connection, pytest.raises(RuntimeError, match="silverplatter init"):
        signer_for(connection, Settings(_env_file=None))  # type: ignore[call-arg]
