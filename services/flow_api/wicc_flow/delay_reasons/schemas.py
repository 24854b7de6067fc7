"""The delay-reason lists as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from wicc_flow.patients.records import Responsible


class NctrReasonRead(BaseModel):
    code: str
    number: int = Field(description="Its national list position (a local code: its parent's)")
    name: str
    national: str = Field(description="The national code it counts under (itself if national)")
    responsible: Responsible = Field(description="Who usually owns the wait")
    dtoc: str | None = Field(description="The DTOC category it maps to; null where none fits")
    local: bool


class DtocCategoryRead(BaseModel):
    code: str
    name: str
    responsible: Responsible


class DelayReasonsRead(BaseModel):
    version: str
    nctr: list[NctrReasonRead] = Field(description="National reasons in order, then local ones")
    dtoc: list[DtocCategoryRead]
