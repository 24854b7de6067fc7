"""HTTP routes for care (being built)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["care"])
