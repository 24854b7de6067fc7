"""ASGI entry point for running capacity's API alone (compose, cluster)."""

from wicc_capacity.app import capacity_service
from wicc_capacity.settings import CapacitySettings
from wicc_shared.process import create_process_app
from wicc_shared.roles import API_ONLY

app = create_process_app([capacity_service()], CapacitySettings(), API_ONLY)
