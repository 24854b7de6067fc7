"""ASGI entry point for running flow's API alone (compose, cluster)."""

from wicc_flow.app import flow_service
from wicc_flow.settings import FlowSettings
from wicc_shared.process import create_process_app
from wicc_shared.roles import API_ONLY

app = create_process_app([flow_service()], FlowSettings(), API_ONLY)
