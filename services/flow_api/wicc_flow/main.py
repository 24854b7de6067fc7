"""ASGI entry point for running flow alone (compose, cluster)."""

from wicc_flow.app import flow_service
from wicc_shared.service import create_process_app
from wicc_shared.settings import get_settings

app = create_process_app([flow_service()], get_settings())
