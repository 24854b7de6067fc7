"""The NHS-number keys: from settings (refused in production when missing or the public
development ones, never printed when refused), or generated once into the data
directory outside production, shared by every process of a checkout; and a rotation's
re-encryption of every stored number."""

from __future__ import annotations

import re
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pydantic import SecretStr, ValidationError

from tests.builders.patient_api import at_now, created, nhs_number
from tests.support import Wicc, fetch
from wicc.app import Settings
from wicc_flow.patients.keys import cipher_from, development_keys
from wicc_flow.patients.nhs_crypto import NhsNumberCipher, generate_key
from wicc_flow.patients.rotation import reencrypt_batch
from wicc_flow.settings import DEVELOPMENT_NHS_NUMBER_INDEX_KEY, DEVELOPMENT_NHS_NUMBER_KEYS

PRODUCTION: dict[str, Any] = dict(
    env="production",
    database_url="postgresql://db/wicc",
    redis_url="redis://r",
    # Production also needs webhook secret keys of its own.
    webhook_secret_keys=[generate_key()],
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


async def test_rotation_re_encrypts_every_number_under_the_newest_key(wicc: Wicc) -> None:
    at_now(wicc)
    numbers = [nhs_number(i) for i in range(3)]
    for i, number in enumerate(numbers):
        await created(wicc, local_ref=f"R{i}", nhs_number=number)
    await created(wicc, local_ref="NONE")  # no number: nothing to re-encrypt
    old_keys, index = development_keys(Path(wicc.settings.data_dir))
    rotated = NhsNumberCipher([generate_key(), *old_keys], index)
    before = await fetch(
        wicc, "SELECT id, nhs_number_token, nhs_number_index, version FROM flow.patient"
    )
    assert not any(
        rotated.is_current(r["nhs_number_token"]) for r in before if r["nhs_number_token"]
    )

    done, after = 0, UUID(int=0)
    while True:  # batches of one, as the command runs them (500 at a time)
        async with wicc.runtime.transaction() as session:
            changed, last = await reencrypt_batch(session, rotated, after=after, size=1)
        done += changed
        if last is None:
            break
        after = last
    assert done == 3
    rows = {r["id"]: r for r in await fetch(wicc, "SELECT * FROM flow.patient")}
    for old in before:
        row = rows[old["id"]]
        assert (row["nhs_number_index"], row["version"]) == (
            old["nhs_number_index"],
            old["version"],
        )
        if old["nhs_number_token"] is not None:
            assert rotated.is_current(row["nhs_number_token"])
    assert sorted(
        rotated.decrypt(r["nhs_number_token"]).value for r in rows.values() if r["nhs_number_token"]
    ) == sorted(numbers)


def test_the_compose_development_keys_are_the_ones_production_refuses() -> None:
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    defaults = dict(re.findall(r"(WICC_NHS_NUMBER_(?:INDEX_)?KEYS?): \$\{\1:-([^}]+)\}", compose))
    assert defaults == {
        "WICC_NHS_NUMBER_KEYS": ",".join(DEVELOPMENT_NHS_NUMBER_KEYS),
        "WICC_NHS_NUMBER_INDEX_KEY": DEVELOPMENT_NHS_NUMBER_INDEX_KEY,
    }
