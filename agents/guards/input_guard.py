"""The input guard: every message passes here first. Blocked messages never reach an agent."""

from __future__ import annotations

import logging
import re
import unicodedata

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from agents.context import AgentContext
from agents.guards.messages import BINARY_REPLY, EMPTY_REPLY, masked_notice, truncated_notice
from agents.guards.normalize import strip_terminal_codes
from agents.reply import Finding, GuardVerdict, Reply
from agents.state import State

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean(text: str) -> str:
    """Text without terminal colour codes, control and invisible characters, in NFC form, trimmed."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", strip_terminal_codes(text))).strip()


def looks_binary(raw: str) -> bool:
    """Mostly replacement or control characters: a file pasted as text, not a message."""
    if not raw:
        return False
    sample = raw[:4000]
    odd = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\t\r"))
    return odd / len(sample) > 0.2


def check_input(raw: str, max_chars: int) -> tuple[GuardVerdict, str | None]:
    """The basic checks: empty, binary-looking, oversized (cut, with a notice)."""
    if looks_binary(strip_terminal_codes(raw)):  # a pasted colour code is not binary data
        return GuardVerdict(action="block", findings=[Finding(policy="input", type="BINARY")]), None
    text = clean(raw)
    if not text:
        return GuardVerdict(action="block", findings=[Finding(policy="input", type="EMPTY")]), None
    if len(text) > max_chars:
        verdict = GuardVerdict(text=text[:max_chars], findings=[Finding(policy="input", type="TOO_LONG")])
        return verdict, truncated_notice(len(text), max_chars)
    return GuardVerdict(text=text), None


def latest_user_message(state: State) -> HumanMessage | None:
    for message in reversed(state.get("messages", [])):
        if isinstance(message, HumanMessage):
            return message
    return None


def _blocked(verdict: GuardVerdict, text: str) -> Command:
    draft = Reply(text=text, route="help", guardrail=verdict)
    return Command(goto="output_guard", update={"draft": draft, "findings": verdict.findings})


async def input_guard(state: State, runtime: Runtime[AgentContext]) -> Command:
    message = latest_user_message(state)
    verdict, notice = check_input(message.text if message else "", runtime.context.max_input_chars)
    if verdict.action == "block":
        return _blocked(verdict, BINARY_REPLY if verdict.findings[0].type == "BINARY" else EMPTY_REPLY)
    basic = verdict.findings
    if runtime.context.guardrail is not None:
        verdict = await runtime.context.guardrail.check(verdict.text, "input")
        verdict = verdict.model_copy(update={"findings": basic + verdict.findings})
        if verdict.action == "block":
            log.info("input blocked: %s", ", ".join(f"{f.policy}/{f.type}" for f in verdict.findings))
            return _blocked(verdict, verdict.text)
    masked = masked_notice([f.type for f in verdict.findings if f.policy in ("pii", "regex")])
    if verdict.action == "anonymize" and masked:  # the person is told what was hidden, not left guessing
        notice = f"{notice} {masked}" if notice else masked
    update: dict = {"text": verdict.text, "notice": notice, "findings": verdict.findings}
    if verdict.action == "anonymize" and message is not None:
        # the stored history keeps only the masked text: personal data never reaches a checkpoint
        update["messages"] = [HumanMessage(content=verdict.text, id=message.id)]
    return Command(goto="router", update=update)
