"""The declaration event escalation announces (the reason stays out)."""

from __future__ import annotations

from wicc_escalation.declarations.models import Declaration
from wicc_escalation.opel.models import ORGANISATION
from wicc_shared.catalogue.opel import OpelAbout, OpelDeclared


def declared(declaration: Declaration) -> OpelDeclared:
    return OpelDeclared(
        about=OpelAbout(declaration.about),
        org=declaration.code if declaration.about == ORGANISATION else None,
        system=declaration.system_code,
        declaration_id=declaration.id,
        level=declaration.level,
        previous_level=declaration.previous_level,
        calculated_level=declaration.calculated_level,
        declared_at=declaration.declared_at,
        declared_by=declaration.declared_by,
        declared_role=declaration.declared_role,
    )
