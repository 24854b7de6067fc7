"""The NHS-number keys: from settings (refused in production when missing or the public
development ones, never printed when refused), or generated once into the data
directory outside production, shared by every process of a checkout."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from wicc.app import Settings
from wicc_flow.patients.keys import cipher_from, development_keys
from wicc_flow.patients.nhs_crypto import generate_key
from wicc_flow.settings import DEVELOPMENT_NHS_NUMBER_INDEX_KEY, DEVELOPMENT_NHS_NUMBER_KEYS

PRODUCTION: dict[str, Any] = dict(
    env="production", database_url="postgresql://db/wicc", redis_url="redis://r"
)
NEW, OLD, INDEX = generate_key(), generate_key(), generate_key()


def test_keys_are_read_newest_first_from_a_comma_separated_list() -> None:
    settings = Settings(**PRODUCTION, nhs_number_keys=f"{NEW}, {OLD}", nhs_number_index_key=INDEX)
    assert [k.get_secret_value() for k in settings.nhs_number_keys] == [NEW, OLD]
    cipher = cipher_from(
        settings.nhs_number_keys,
        settings.nhs_number_index_key,
        data_dir=Path("/nowhere"),
        env="production",
    )
    old_token = cipher_from(
        [SecretStr(OLD)], SecretStr(INDEX), data_dir=Path("/x"), env="test"
    ).encrypt("9434765919")
    assert cipher.decrypt(old_token).value == "9434765919" and not cipher.is_current(old_token)


@pytest.mark.parametrize(
    ("keys", "index", "words"),
    [
        ("", None, "production needs WICC_NHS_NUMBER_KEYS"),
        (",".join(DEVELOPMENT_NHS_NUMBER_KEYS), DEVELOPMENT_NHS_NUMBER_INDEX_KEY, "public"),
        (NEW, DEVELOPMENT_NHS_NUMBER_INDEX_KEY, "public"),
    ],
)
def test_production_refuses_missing_or_public_keys(
    keys: str, index: str | None, words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        Settings(**PRODUCTION, nhs_number_keys=keys, nhs_number_index_key=index)


@pytest.mark.parametrize("env", ["development", "production"])
def test_a_broken_or_half_configuration_is_refused_without_printing_a_key(env: str) -> None:
    secret = "not-a-key-but-a-secret-all-the-same"
    for keys, index in ((secret, INDEX), (NEW, None), (NEW, NEW)):
        with pytest.raises(ValidationError) as refused:
            Settings(
                **(PRODUCTION | {"env": env}), nhs_number_keys=keys, nhs_number_index_key=index
            )
        assert secret not in str(refused.value) and NEW not in str(refused.value)


def test_development_keys_are_made_once_and_kept_private(tmp_path: Path) -> None:
    first = development_keys(tmp_path)
    again = development_keys(tmp_path)
    assert first == again and len(first[0]) == 1 and first[1] not in first[0]
    mode = stat.S_IMODE((tmp_path / "nhs-number-keys.json").stat().st_mode)
    assert mode == 0o600


def test_processes_starting_together_share_one_set_of_keys(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: development_keys(tmp_path), range(8)))
    assert all(keys == found[0] for keys in found)
    assert [p.name for p in tmp_path.iterdir()] == ["nhs-number-keys.json"]


def test_production_never_generates_keys(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="production needs"):
        cipher_from([], None, data_dir=tmp_path, env="production")
    assert list(tmp_path.iterdir()) == []
