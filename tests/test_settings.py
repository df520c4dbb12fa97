"""Settings: documented, defaulted, and never printed with their secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from silverplatter.settings import Settings, mask_url_password

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [
        name for name in Settings.model_fields if f"SILVERPLATTER_{name.upper()}" not in text
    ]
    assert missing == []


def test_default_database_is_a_sqlite_file_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SILVERPLATTER_DATABASE_URL", raising=False)
    assert Settings(_env_file=None).database_url == "sqlite:///silverplatter.db"


def test_public_dict_masks_every_secret() -> None:
    settings = Settings(
        database_url="postgresql://app:hunter2@db.example/sp",
        secret_key="s3cret",
        smtp_url="smtp://mailer:pw@mail.example:587",
    )
    shown = settings.public_dict()
    assert "hunter2" not in str(shown) and "s3cret" not in str(shown) and "pw@" not in str(shown)
    assert shown["database_url"] == "postgresql://app:***@db.example/sp"
    assert shown["redis_url"] is None
    assert "s3cret" not in repr(settings)


def test_mask_url_password_survives_garbage() -> None:
    assert mask_url_password("::not a url::") == "<unparseable URL>"
