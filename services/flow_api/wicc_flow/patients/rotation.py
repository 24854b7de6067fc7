"""Step 2 of rotating the NHS-number encryption key: re-encrypt every stored number that
is not yet under the newest key (docs/patient-flow.md). Run in batches, each in its
own transaction, while the service runs: a record's version and events do not change,
because the number did not; only its ciphertext did. The blind index is unchanged."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.patients.models import Patient
from wicc_flow.patients.nhs_crypto import NhsNumberCipher


async def reencrypt_batch(
    session: AsyncSession, cipher: NhsNumberCipher, *, after: uuid.UUID, size: int = 500
) -> tuple[int, uuid.UUID | None]:
    """Re-encrypt the tokens not under the newest key among the next `size` records with
    a number (by id, after `after`); return how many changed and where to go on (None
    at the end)."""
    rows = (
        await session.execute(
            select(col(Patient.id), col(Patient.nhs_number_token))
            .where(col(Patient.nhs_number_token).is_not(None), col(Patient.id) > after)
            .order_by(col(Patient.id))
            .limit(size)
            .with_for_update()
        )
    ).all()
    changed = 0
    for patient_id, token in rows:
        if token is not None and not cipher.is_current(token):
            await session.execute(
                update(Patient)
                .where(col(Patient.id) == patient_id)
                .values(nhs_number_token=cipher.rotate(token))
            )
            changed += 1
    return changed, (rows[-1][0] if len(rows) == size else None)
