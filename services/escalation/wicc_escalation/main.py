"""ASGI entry point for running escalation's API alone (compose, cluster)."""

from wicc_escalation.app import escalation_service
from wicc_escalation.settings import EscalationSettings
from wicc_shared.process import create_process_app
from wicc_shared.roles import API_ONLY

app = create_process_app([escalation_service()], EscalationSettings(), API_ONLY)
