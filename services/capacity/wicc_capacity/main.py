"""ASGI entry point for running capacity alone (compose, cluster)."""

from wicc_capacity.app import capacity_service
from wicc_shared.service import create_process_app
from wicc_shared.settings import get_settings

app = create_process_app([capacity_service()], get_settings())
