"""The platform-neutral answer of a graph turn; renderers turn it into Slack, Discord or terminal
output."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Route = Literal["tutor", "quizmaster", "banking", "help"]
Pending = Literal["quiz", "banking", "approval"]


class Citation(BaseModel):
    n: int = Field(ge=1, description="The number used in the text, as in [1].")
    section: str = Field(description="Section id in the notes.")
    title: str
    source: str


class Choice(BaseModel):
    """A button a platform would show; sending its value as the next message answers it."""

    label: str = Field(max_length=80)
    value: str = Field(max_length=100)


class Finding(BaseModel):
    policy: str = Field(description="Which policy spoke: 'input', 'content', 'pii', 'topic', ...")
    type: str = Field(description="What was found, e.g. 'EMPTY', 'EMAIL', 'PROMPT_ATTACK'.")
    match: str | None = Field(None, description="The matched text, when safe to show.")


class GuardVerdict(BaseModel):
    action: Literal["allow", "anonymize", "block"] = "allow"
    text: str = Field("", description="The text after masking.")
    findings: list[Finding] = Field(default_factory=list)


class Reply(BaseModel):
    text: str
    route: Route
    citations: list[Citation] = Field(default_factory=list)
    choices: list[Choice] = Field(default_factory=list)
    pending: Pending | None = None
    private: bool = Field(False, description="Send as ephemeral/DM in shared channels.")
    notice: str | None = Field(None, description="A short note shown apart, e.g. 'offline excerpts'.")
    image_png: bytes | None = Field(None, exclude=True, description="A chart the adapters attach.")
    guardrail: GuardVerdict = Field(default_factory=GuardVerdict)
