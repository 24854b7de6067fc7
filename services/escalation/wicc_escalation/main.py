"""ASGI entry point for running escalation alone (compose, cluster)."""

from wicc_escalation.app import escalation_service
from wicc_shared.service import create_process_app
from wicc_shared.settings import get_settings

app = create_process_app([escalation_service()], get_settings())
