"""HTTP endpoints: routing."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
