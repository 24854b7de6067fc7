"""Every table of every service, for migrations.

Importing a models module registers its tables on SQLModel's metadata; the
tuple below keeps the imports visibly used (linters would otherwise drop them
and autogenerate would silently see no service tables).
"""

from __future__ import annotations

from sqlmodel import SQLModel

import wicc_capacity.bed_status.models
import wicc_capacity.beds.models
import wicc_capacity.care.models
import wicc_capacity.sitreps.models
import wicc_capacity.tables
import wicc_escalation.actions.models
import wicc_escalation.declarations.models
import wicc_escalation.inputs.models
import wicc_escalation.opel.models
import wicc_escalation.tables
import wicc_flow.board.models
import wicc_flow.capacity_inputs.models
import wicc_flow.discharge_sitrep.models
import wicc_flow.patients.models
import wicc_flow.red_green.models
import wicc_flow.summaries.models
import wicc_flow.tables
import wicc_flow.webhooks.deliveries.models
import wicc_flow.webhooks.endpoints.models
import wicc_shared.kernel.models

MODEL_MODULES = (
    wicc_shared.kernel.models,
    wicc_capacity.tables,
    wicc_capacity.beds.models,
    wicc_capacity.bed_status.models,
    wicc_capacity.care.models,
    wicc_capacity.sitreps.models,
    wicc_flow.tables,
    wicc_flow.board.models,
    wicc_flow.patients.models,
    wicc_flow.red_green.models,
    wicc_flow.discharge_sitrep.models,
    wicc_flow.capacity_inputs.models,
    wicc_flow.summaries.models,
    wicc_flow.webhooks.endpoints.models,
    wicc_flow.webhooks.deliveries.models,
    wicc_escalation.tables,
    wicc_escalation.inputs.models,
    wicc_escalation.opel.models,
    wicc_escalation.declarations.models,
    wicc_escalation.actions.models,
)
SCHEMAS = ("kernel", "capacity", "flow", "escalation")
metadata = SQLModel.metadata
