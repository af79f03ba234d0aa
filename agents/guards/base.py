"""What every guardrail backend offers: one check of a text at one stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from agents.guards.policy import GuardrailPolicy
from agents.reply import GuardVerdict

Stage = Literal["input", "output"]


class GuardrailUnavailable(RuntimeError):
    """The guardrail service could not be reached or refused the call."""


class Guardrail(Protocol):
    policy: GuardrailPolicy

    async def check(
        self, text: str, stage: Stage, *, sources: Sequence[str] = (), query: str | None = None
    ) -> GuardVerdict:
        """Assess a user message (input) or a reply (output).

        `sources` and `query` enable the contextual grounding check of an output: the passages the
        answer must be grounded in, and the question it must be relevant to.
        A blocked verdict's text is the policy's blocked message; an anonymized verdict's text is
        the masked text; an allowed verdict's text is the text unchanged.
        """
        ...
