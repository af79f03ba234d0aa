"""The banking agent's tools as typed calls: what the agent (model or parser) asks for, and what
the tool guard answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

AccountId = Field(pattern=r"^\d{4,12}$", description="The account number: 4 to 12 digits.")


class VerifyIdentity(BaseModel):
    """Check that the person is the holder of the account, before anything about it is shown."""

    account_id: str = AccountId
    name: str = Field(min_length=1, max_length=80, description="The account holder's name as given.")


class AccountStatus(BaseModel):
    """The status of the verified account and, if pending, the reason."""

    account_id: str = AccountId


class RequiredDocuments(BaseModel):
    """Which documents fix a pending reason, e.g. InvalidIdentification."""

    reason: str = Field(min_length=3, max_length=60)


class RequestResubmission(BaseModel):
    """Ask the bank to review a newly submitted document for the verified account (a write; needs
    the user's approval)."""

    account_id: str = AccountId
    document: str = Field(min_length=3, max_length=120, description="The document being resubmitted.")


class SearchBankFaq(BaseModel):
    """Search the Bank of Chicago FAQ (bonus, documents, timelines, how to resubmit)."""

    question: str = Field(min_length=2, max_length=500)


TOOLS: dict[str, type[BaseModel]] = {
    "verify_identity": VerifyIdentity,
    "account_status": AccountStatus,
    "required_documents": RequiredDocuments,
    "request_resubmission": RequestResubmission,
    "search_bank_faq": SearchBankFaq,
}
ACCOUNT_TOOLS = {"account_status", "request_resubmission"}  # need a verified owner
WRITE_TOOLS = {"request_resubmission"}  # need the user's approval


class BankCall(BaseModel):
    """One tool call as the agent asked for it (arguments not yet validated)."""

    id: str
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    approved: bool = False


class ToolOutcome(BaseModel):
    """What the tool guard did with a call, as the agent sees it."""

    call_id: str
    tool: str
    decision: Literal["allowed", "refused"]
    reason: str = ""
    result: dict[str, Any] = Field(default_factory=dict)


class BankSession(BaseModel):
    """The banking flow of one conversation: verification never carries over to another one."""

    account_id: str | None = None
    verified: str | None = Field(None, description="The account this conversation has verified.")
    verified_by: str | None = Field(None, description="Who verified it ('platform:user'); only they use it.")
    intent: str | None = Field(None, description="What the user wants once verified.")
    pending_approval: BankCall | None = None
    approval_expires: datetime | None = None
