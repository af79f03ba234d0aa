"""The input guard: every message passes here first. Blocked messages never reach an agent."""

from __future__ import annotations

import re
import unicodedata

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from agents.context import AgentContext
from agents.guards.messages import BINARY_REPLY, EMPTY_REPLY, truncated_notice
from agents.reply import Finding, GuardVerdict, Reply
from agents.state import State

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean(text: str) -> str:
    """Text without control and invisible characters, in NFC form, trimmed."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def looks_binary(raw: str) -> bool:
    """Mostly replacement or control characters: a file pasted as text, not a message."""
    if not raw:
        return False
    sample = raw[:4000]
    odd = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\t\r"))
    return odd / len(sample) > 0.2


def check_input(raw: str, max_chars: int) -> tuple[GuardVerdict, str | None]:
    """The basic checks: empty, binary-looking, oversized (cut, with a notice)."""
    if looks_binary(raw):
        return GuardVerdict(action="block", findings=[Finding(policy="input", type="BINARY")]), None
    text = clean(raw)
    if not text:
        return GuardVerdict(action="block", findings=[Finding(policy="input", type="EMPTY")]), None
    if len(text) > max_chars:
        verdict = GuardVerdict(text=text[:max_chars], findings=[Finding(policy="input", type="TOO_LONG")])
        return verdict, truncated_notice(len(text), max_chars)
    return GuardVerdict(text=text), None


def latest_user_text(state: State) -> str:
    for message in reversed(state.get("messages", [])):
        if isinstance(message, HumanMessage):
            return message.text if hasattr(message, "text") else str(message.content)
    return ""


async def input_guard(state: State, runtime: Runtime[AgentContext]) -> Command:
    verdict, notice = check_input(latest_user_text(state), runtime.context.max_input_chars)
    if verdict.action == "block":
        kind = verdict.findings[0].type
        draft = Reply(text=BINARY_REPLY if kind == "BINARY" else EMPTY_REPLY, route="help", guardrail=verdict)
        return Command(goto="output_guard", update={"draft": draft, "findings": verdict.findings})
    return Command(
        goto="router",
        update={"text": verdict.text, "notice": notice, "findings": verdict.findings},
    )
