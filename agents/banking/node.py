"""The Bank of Chicago agent: plans tool calls (offline parser or chat model), hands them to the
tool guard, and explains what came back."""

from __future__ import annotations

import json
import logging
import uuid

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from agents.banking import prompts as say
from agents.banking.calls import TOOLS, BankCall, BankSession, ToolOutcome
from agents.banking.parser import parse
from agents.banking.services import BankServices
from agents.context import AgentContext
from agents.reply import Citation, Reply
from agents.state import State

log = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 6
_REFUSALS = {
    "not verified": say.NOT_VERIFIED,
    "locked out": say.LOCKED,
    "account locked": say.ACCOUNT_LOCKED,
    "rate limited": say.RATE_LIMITED,
    "bulk request": say.ONE_ACCOUNT,
    "not the verified account": say.ONE_ACCOUNT,
    "unavailable": say.UNAVAILABLE,
    "blocked by guardrail": say.BLOCKED,
}
_TOOL_NAMES = {cls.__name__: name for name, cls in TOOLS.items()}  # a model sees the class names


def call(tool: str, **args: str) -> BankCall:
    return BankCall(id=f"call_{uuid.uuid4().hex[:8]}", tool=tool, args=args)


def to_guard(session: BankSession, *calls: BankCall, **update: object) -> Command:
    return Command(
        goto="tool_guard", update={"bank": session, "bank_calls": list(calls), "bank_results": [], **update}
    )


def say_(
    session: BankSession, text: str, waiting: bool = False, citations: list[Citation] | None = None
) -> Command:
    """Answer the user; `waiting` keeps the conversation with this agent for the next message."""
    draft = Reply(text=text, route="banking", private=True, citations=citations or [])
    return Command(
        goto="output_guard",
        update={
            "bank": session,
            "draft": draft,
            "bank_results": [],
            "bank_messages": [],
            "pending": "banking" if waiting else None,
            "active": "banking" if waiting else None,
        },
    )


# -- offline ---------------------------------------------------------------------------------------
def plan(text: str, session: BankSession) -> Command:
    """From the user's words to the next tool call, or a question back."""
    parsed = parse(text, expecting_name=bool(session.account_id and not session.verified))
    if parsed.intent == "cancel":
        return say_(BankSession(verified=session.verified), say.CANCELLED)
    if parsed.intent != "unknown":
        session.intent = parsed.intent
    if len(parsed.account_ids) > 1:  # the guard refuses (and audits) bulk requests
        return to_guard(session, *(call("account_status", account_id=a) for a in parsed.account_ids))
    if parsed.malformed_id:
        return say_(session, say.BAD_ACCOUNT_ID, waiting=True)
    if parsed.account_ids:
        if session.verified and parsed.account_ids[0] != session.verified:
            return to_guard(session, call("account_status", account_id=parsed.account_ids[0]))
        session.account_id = parsed.account_ids[0]
    if session.intent == "faq" and not parsed.account_ids and not parsed.name:
        session.intent = None
        return to_guard(session, call("search_bank_faq", question=text))
    if session.verified:
        return to_guard(session, call("account_status", account_id=session.verified))
    if not session.account_id:
        return say_(session, say.ASK_ACCOUNT, waiting=True)
    if not parsed.name:
        return say_(session, say.ASK_NAME, waiting=True)
    return to_guard(session, call("verify_identity", account_id=session.account_id, name=parsed.name))


def explain(session: BankSession, outcome: ToolOutcome, services: BankServices) -> Command:
    """From a tool's outcome to the next call or the answer."""
    if outcome.decision == "refused":
        if outcome.reason == "not verified":
            session.account_id = None
        text = _REFUSALS.get(outcome.reason, say.BAD_ACCOUNT_ID)
        return say_(session, text, waiting=outcome.reason == "not verified")
    result = outcome.result
    if outcome.tool == "verify_identity":
        return to_guard(session, call("account_status", account_id=result["account_id"]))
    if outcome.tool == "account_status":
        intent, session.intent = session.intent, None
        guide = services.guides.get(result.get("reason") or "")
        if result["status"] == "Pending" and guide and intent == "resubmit":
            return to_guard(
                session,
                call("request_resubmission", account_id=result["account_id"], document=guide.documents[0]),
            )
        if result["status"] == "Active":
            return say_(session, say.ACTIVE.format(name=result["name"], account=result["account_id"]))
        if result["status"] == "Pending" and guide:
            text = say.PENDING.format(
                account=result["account_id"],
                explanation=guide.explanation,
                documents="; ".join(guide.documents),
            )
            return say_(session, text)
        return say_(session, say.CLOSED.format(account=result["account_id"]))
    if outcome.tool == "required_documents":
        return say_(
            session, say.DOCUMENTS.format(reason=result["reason"], documents="; ".join(result["documents"]))
        )
    if outcome.tool == "request_resubmission":
        return say_(
            session,
            say.SUBMITTED.format(
                request_id=result["request_id"], document=result["document"], account=result["account_id"]
            ),
        )
    passages = result.get("passages") or []
    if not passages:
        return say_(session, say.NO_FAQ)
    top = passages[0]
    body = top["text"].split("\n", 1)[-1].strip()
    cited = [Citation(n=1, section=top["section"], title=top["title"], source=top["source"])]
    return say_(session, f"{body} [1]", citations=cited)


# -- with a chat model -----------------------------------------------------------------------------
async def model_turn(state: State, context: AgentContext, session: BankSession) -> Command:
    """Bedrock-style tool calling: the model asks for tools, the guard decides, results go back."""
    assert context.chat_model is not None
    thread = list(state.get("bank_messages") or [])
    for outcome in state.get("bank_results") or []:
        thread.append(
            ToolMessage(content=json.dumps(outcome.model_dump(mode="json")), tool_call_id=outcome.call_id)
        )
    rounds = sum(isinstance(m, AIMessage) for m in thread)
    history = [m for m in state.get("messages", []) if isinstance(m, HumanMessage | AIMessage)][-6:]
    model = context.chat_model.bind_tools(list(TOOLS.values()))
    answer = await model.ainvoke([SystemMessage(say.BANKING_SYSTEM), *history, *thread])
    if answer.tool_calls and rounds < MAX_TOOL_ROUNDS:
        calls = [
            BankCall(
                id=tc["id"] or f"call_{n}", tool=_TOOL_NAMES.get(tc["name"], tc["name"]), args=tc["args"]
            )
            for n, tc in enumerate(answer.tool_calls)
        ]
        return to_guard(session, *calls, bank_messages=[*thread, answer])
    return say_(session, answer.text or say.NO_FAQ, waiting=session.verified is None)


async def banking(state: State, runtime: Runtime[AgentContext]) -> Command:
    services = runtime.context.bank
    session = (state.get("bank") or BankSession()).model_copy(deep=True)
    if services is None:
        return say_(session, say.NOT_SET_UP)
    results = state.get("bank_results") or []
    if runtime.context.chat_model is not None:
        try:
            return await model_turn(state, runtime.context, session)
        except Exception as exc:  # throttling, timeouts, outages: the offline agent carries on
            log.warning("banking model failed (%s); answering offline", type(exc).__name__)
    if results:
        return explain(session, results[-1], services)
    return plan(state["text"], session)
