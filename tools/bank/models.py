"""The values the account store hands to the banking agent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

AccountStatus = Literal["Active", "Pending", "Closed"]


class Account(BaseModel):
    """One row of `customerAccountStatus`."""

    model_config = ConfigDict(frozen=True)

    account_id: str = Field(min_length=1, max_length=64, description="The bank's account id, e.g. '6666'.")
    name: str = Field(min_length=1, max_length=200, description="The account holder's first name.")
    status: AccountStatus = Field(description="Active, Pending (checks outstanding) or Closed.")
    reason: str | None = Field(
        None, max_length=100, description="Why the account is Pending or Closed, e.g. 'InvalidAddressProof'."
    )

    @model_validator(mode="after")
    def _reason_matches_status(self) -> Account:
        if self.status == "Active" and self.reason is not None:
            raise ValueError("an Active account has no reason")
        if self.status == "Pending" and not self.reason:
            raise ValueError("a Pending account needs a reason")
        return self


class Resubmission(BaseModel):
    """A recorded request to resubmit a document for an account."""

    model_config = ConfigDict(frozen=True)

    request_id: str = Field(min_length=1, description="Reference the customer can quote, e.g. 'RS-1A2B3C4D'.")
    account_id: str = Field(min_length=1, max_length=64, description="The account the document is for.")
    document: str = Field(min_length=1, max_length=300, description="The document the customer will send.")
    requested_at: datetime = Field(description="When the request was recorded (UTC).")

    @field_validator("requested_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DocumentGuide(BaseModel):
    """What a pending reason means and which documents clear it."""

    model_config = ConfigDict(frozen=True)

    reason: str = Field(min_length=1, description="The pending reason, e.g. 'InvalidIdentification'.")
    explanation: str = Field(min_length=1, description="The reason in plain words, for the customer.")
    documents: list[str] = Field(min_length=1, description="Documents that fix it; any one of them will do.")
