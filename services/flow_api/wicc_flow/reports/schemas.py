"""The lost-bed-days report as the API shows it."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class LostBedDaysGroup(BaseModel):
    key: str = Field(
        description="The org, pathway, locality, responsible party or reason code "
        "(`none_recorded`: days with no delay open; `no_dtoc_category`: a reason DTOC had "
        "no category for)"
    )
    name: str | None = Field(description="The reason's or category's name, for reasons")
    bed_days: int
    patients: int = Field(description="Patients with at least one lost day in this group")


class LostBedDaysReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    system: str
    from_: date = Field(alias="from", description="First day of the period (included)")
    to: date = Field(description="Last day of the period (included)")
    by: str
    reasons: str = Field(description="The reason list grouped by (`nctr` or `dtoc`)")
    reasons_version: str
    today: date = Field(description="Days from this one on are not counted yet")
    bed_days: int = Field(description="All lost bed days: every split adds up to this")
    patients: int = Field(description="Patients with at least one lost day")
    groups: list[LostBedDaysGroup] = Field(description="By key; groups without a day left out")
    as_of: datetime
