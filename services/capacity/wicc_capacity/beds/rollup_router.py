"""Bed roll-ups, history and bed-level status (being built)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["beds"])
