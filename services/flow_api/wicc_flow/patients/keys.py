"""The NHS-number keys a process uses: from settings, or (outside production) generated
once into the data directory, so that `make run` and the tests work with no set-up and
every process of one checkout shares the same keys.

The development file is written whole under a temporary name and then linked into
place, so two processes starting at once cannot both win or read half a file: the
loser of the link reads the winner's keys.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import Final

from pydantic import SecretStr

from wicc_flow.patients.nhs_crypto import NhsNumberCipher, generate_key

DEVELOPMENT_KEY_FILE: Final = "nhs-number-keys.json"


def cipher_from(
    keys: list[SecretStr], index_key: SecretStr | None, *, data_dir: Path, env: str
) -> NhsNumberCipher:
    """The cipher of the configured keys; without them (never in production: the
    settings refuse that), the development keys of `data_dir`."""
    if keys and index_key is not None:
        return NhsNumberCipher([k.get_secret_value() for k in keys], index_key.get_secret_value())
    if env == "production":
        raise RuntimeError("production needs WICC_NHS_NUMBER_KEYS and WICC_NHS_NUMBER_INDEX_KEY")
    encryption, index = development_keys(data_dir)
    return NhsNumberCipher(encryption, index)


def development_keys(data_dir: Path) -> tuple[list[str], str]:
    """The keys kept in `<data_dir>/nhs-number-keys.json` (mode 0600), made on first use."""
    path = data_dir / DEVELOPMENT_KEY_FILE
    if not path.exists():
        _create(path)
    stored = json.loads(path.read_text(encoding="utf-8"))
    return [str(k) for k in stored["keys"]], str(stored["index_key"])


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per caller, not per process: two threads of one process may race here too.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    content = json.dumps({"keys": [generate_key()], "index_key": generate_key()})
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(content + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made them first: theirs are the keys
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
