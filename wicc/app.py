"""All three services in one process, each under its own prefix (embedded mode)."""

from __future__ import annotations

from wicc_capacity.app import capacity_service
from wicc_escalation.app import escalation_service
from wicc_flow.app import flow_service
from wicc_shared.service import ProcessApp, create_process_app
from wicc_shared.settings import Settings


def create_app(settings: Settings) -> ProcessApp:
    return create_process_app([capacity_service(), flow_service(), escalation_service()], settings)


def create_app_from_env() -> ProcessApp:
    """For worker processes (`WICC_WORKERS` > 1): settings come from the environment,
    which `wicc run` fills with the URLs of the servers it started."""
    return create_app(Settings())
