"""The output guard: every reply passes here last, and the turn is written to the history."""

from __future__ import annotations

import logging

from langchain_core.messages import AIMessage, RemoveMessage
from langgraph.runtime import Runtime

from agents.context import AgentContext
from agents.guards.base import Guardrail
from agents.guards.markup import defang
from agents.reply import GuardVerdict, Reply
from agents.state import State
from agents.tutor.prompts import NOT_IN_NOTES

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 12_000
KEEP_MESSAGES = 40  # older turns leave the checkpoint; the notes, not the chat, are the memory
FALLBACK = "Sorry, I have no answer for that. Try asking in another way."


async def check_reply(draft: Reply, text: str, state: State, guardrail: Guardrail) -> tuple[Reply, str]:
    """The guardrail's output check; an ungrounded tutor answer becomes an honest 'not in the notes'."""
    verdict = await guardrail.check(
        text, "output", sources=state.get("evidence") or (), query=state.get("text")
    )
    if verdict.action == "allow":
        return draft, text
    log.info("output %s: %s", verdict.action, ", ".join(f"{f.policy}/{f.type}" for f in verdict.findings))
    if verdict.action == "block" and all(f.policy == "grounding" for f in verdict.findings):
        return draft.model_copy(update={"citations": [], "guardrail": verdict}), NOT_IN_NOTES
    return draft.model_copy(update={"guardrail": verdict}), verdict.text


async def output_guard(state: State, runtime: Runtime[AgentContext]) -> dict:
    draft = state.get("draft") or Reply(text=FALLBACK, route=state.get("route", "help"))
    text = draft.text.strip()[:MAX_REPLY_CHARS] or FALLBACK
    guardrail = runtime.context.guardrail
    if guardrail is not None:  # whatever wrote the reply, it is shown as text: no exfiltration, no markup
        text, defanged = defang(text, guardrail.policy.local.allowed_link_hosts)
        if defanged:
            log.info("output defanged: %s", ", ".join(f.type for f in defanged))
    if guardrail is not None and draft.guardrail.action != "block":
        draft, text = await check_reply(draft, text, state, guardrail)
    notices = [n for n in (state.get("notice"), draft.notice) if n]
    findings = list(state.get("findings", []))
    masked = any(f.policy in ("pii", "regex") for f in findings)
    verdict = (
        draft.guardrail
        if draft.guardrail.findings
        else GuardVerdict(action="anonymize" if masked else "allow", findings=findings)
    )
    reply = draft.model_copy(
        update={
            "text": text,
            "notice": " ".join(notices) or None,
            "pending": state.get("pending"),
            "guardrail": verdict.model_copy(update={"text": text}),
        }
    )
    history = state.get("messages", [])
    trimmed = [RemoveMessage(id=m.id) for m in history[: max(0, len(history) + 1 - KEEP_MESSAGES)] if m.id]
    return {
        "reply": reply,
        "draft": None,
        "notice": None,
        "evidence": [],
        "messages": [*trimmed, AIMessage(text)],
    }
