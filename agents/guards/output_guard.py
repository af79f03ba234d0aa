"""The output guard: every reply passes here last, and the turn is written to the history."""

from __future__ import annotations

from langchain_core.messages import AIMessage, RemoveMessage

from agents.reply import GuardVerdict, Reply
from agents.state import State

MAX_REPLY_CHARS = 12_000
KEEP_MESSAGES = 40  # older turns leave the checkpoint; the notes, not the chat, are the memory
FALLBACK = "Sorry, I have no answer for that. Try asking in another way."


async def output_guard(state: State) -> dict:
    draft = state.get("draft") or Reply(text=FALLBACK, route=state.get("route", "help"))
    text = draft.text.strip()[:MAX_REPLY_CHARS] or FALLBACK
    notices = [n for n in (state.get("notice"), draft.notice) if n]
    findings = list(state.get("findings", []))
    verdict = draft.guardrail if draft.guardrail.findings else GuardVerdict(findings=findings)
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
        "messages": [*trimmed, AIMessage(text)],
    }
