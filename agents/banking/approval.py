"""The approval step: a write waits here, with the graph paused, until the user says yes or no.

LangGraph re-runs a node from its start on resume, so the interrupt comes first and what follows
only reads the answer."""

from __future__ import annotations

import re

from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agents.banking.calls import BankSession
from agents.banking.prompts import APPROVAL_CANCELLED, APPROVAL_EXPIRED, APPROVAL_PROMPT
from agents.context import AgentContext
from agents.reply import Choice, Reply
from agents.state import State

APPROVE = re.compile(r"^\s*(yes|y|yep|yeah|approve[d]?|confirm|go ahead|ok(ay)?|do it|sure)\b", re.I)


def approval_request(session: BankSession) -> Reply:
    call = session.pending_approval
    assert call is not None
    return Reply(
        text=APPROVAL_PROMPT.format(account=call.args.get("account_id"), document=call.args.get("document")),
        route="banking",
        choices=[Choice(label="Approve", value="approve"), Choice(label="Cancel", value="cancel")],
        pending="approval",
        private=True,
    )


async def approval(state: State, runtime: Runtime[AgentContext]) -> Command:
    session = state["bank"]
    answer = interrupt(approval_request(session).model_dump(mode="json"))
    call, expires = session.pending_approval, session.approval_expires
    session = session.model_copy(update={"pending_approval": None, "approval_expires": None})
    services = runtime.context.bank
    if call is None or services is None or (expires and services.clock() > expires):
        return _reply(session, APPROVAL_EXPIRED)
    if not APPROVE.match(str(answer)):
        return _reply(session, APPROVAL_CANCELLED)
    approved = call.model_copy(update={"approved": True})
    return Command(goto="tool_guard", update={"bank": session, "bank_calls": [approved]})


def _reply(session: BankSession, text: str) -> Command:
    draft = Reply(text=text, route="banking", private=True)
    return Command(
        goto="output_guard",
        update={"bank": session, "draft": draft, "pending": None, "active": None},
    )
