"""All three services in one process, each under its own prefix (embedded mode), and
the worker process that does their background work."""

from __future__ import annotations

from typing import Any

from wicc_capacity.app import capacity_service
from wicc_capacity.settings import CapacitySettings
from wicc_escalation.app import escalation_service
from wicc_escalation.settings import EscalationSettings
from wicc_flow.app import flow_service
from wicc_flow.settings import FlowSettings
from wicc_shared.process import ProcessApp, create_process_app
from wicc_shared.roles import API_AND_WORKER, API_ONLY, WORKER_ONLY, Role
from wicc_shared.service import ServiceSpec


class Settings(CapacitySettings, FlowSettings, EscalationSettings):
    """The settings of a process serving every service (`wicc run`, `wicc worker`)."""


def services() -> list[ServiceSpec[Any, Any]]:
    return [capacity_service(), flow_service(), escalation_service()]


def create_app(settings: Settings, roles: frozenset[Role] = API_AND_WORKER) -> ProcessApp:
    return create_process_app(services(), settings, roles)


def create_api_app_from_env() -> ProcessApp:
    """For the API processes of `wicc run` with `WICC_WORKERS` > 1: settings come from
    the environment, which `wicc run` fills with the URLs of the servers it started.
    Their background work is done by the one worker process `wicc run` starts."""
    return create_app(Settings(), API_ONLY)


def create_worker_app(settings: Settings) -> ProcessApp:
    return create_app(settings, WORKER_ONLY)
