"""The tool guard: every banking tool call passes here, in code, so no prompt can talk its way
past it. It validates arguments, enforces verification, ownership, lockouts and rate limits,
audits every call (allowed or refused) and runs the allowed ones."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import ValidationError

from agents.banking.calls import ACCOUNT_TOOLS, TOOLS, WRITE_TOOLS, BankCall, BankSession, ToolOutcome
from agents.banking.services import BankServices
from agents.context import AgentContext
from agents.state import State
from tools.audit import AuditEntry
from tools.bank.store import AccountNotFoundError, AccountStoreError

log = logging.getLogger(__name__)


def _refuse(call: BankCall, reason: str) -> ToolOutcome:
    return ToolOutcome(call_id=call.id, tool=call.tool, decision="refused", reason=reason)


class _Guard:
    def __init__(self, services: BankServices, state: State) -> None:
        self.services = services
        self.user = state["user"]
        self.conversation = state["conversation"]
        self.session = (state.get("bank") or BankSession()).model_copy(deep=True)
        self.who = f"{self.user.platform}:{self.user.id}"

    def audit(self, call: BankCall, outcome: ToolOutcome) -> None:
        account = call.args.get("account_id")
        self.services.audit.record(
            AuditEntry(
                time=self.services.clock(),
                user=self.user.id,
                platform=self.user.platform,
                conversation=self.conversation,
                account=str(account) if account is not None else None,
                tool=call.tool,
                decision=outcome.decision,
                reason=outcome.reason,
            )
        )

    def count(self, since_delta, **filters: str) -> int:
        since = self.services.clock() - since_delta
        return self.services.audit.count(self.user.id, self.user.platform, since, **filters)

    def account_failures(self, account: str) -> int:
        since = self.services.clock() - self.services.lockout
        return self.services.audit.count_for_account(
            account, since, tool="verify_identity", decision="refused", reason="not verified"
        )

    def after(self, call: BankCall, outcome: ToolOutcome) -> None:
        """A failed verification that reaches the account's limit locks the account, on the record."""
        if call.tool != "verify_identity" or outcome.reason != "not verified":
            return
        account = str(call.args.get("account_id"))
        if self.account_failures(account) == self.services.max_failed_per_account:
            self.services.audit.record(
                AuditEntry(
                    time=self.services.clock(),
                    user=self.user.id,
                    platform=self.user.platform,
                    conversation=self.conversation,
                    account=account,
                    tool="account_lockout",
                    decision="refused",
                    reason="too many failed verifications",
                )
            )
            log.warning(
                "account %s locked after %d failed verifications",
                account,
                self.services.max_failed_per_account,
            )

    def check(self, call: BankCall, calls: list[BankCall]) -> ToolOutcome | None:
        """A refusal, or None when the call may run."""
        s = self.services
        if call.tool not in TOOLS:
            return _refuse(call, "unknown tool")
        try:
            args = TOOLS[call.tool].model_validate(call.args)
        except ValidationError as exc:
            return _refuse(call, f"invalid arguments: {exc.errors()[0]['msg']}")
        if self.count(s.lockout, tool="verify_identity", decision="refused", reason="not verified") >= (
            s.max_failed_verifications
        ):
            return _refuse(call, "locked out")
        account = getattr(args, "account_id", None)
        if account is not None and self.account_failures(str(account)) >= s.max_failed_per_account:
            return _refuse(call, "account locked")
        if sum(c.tool in ACCOUNT_TOOLS or c.tool == "verify_identity" for c in calls) > 1:
            return _refuse(call, "bulk request")
        looks_up = call.tool in ACCOUNT_TOOLS or call.tool == "verify_identity"
        if looks_up and self.count(s.lookup_window, tool="account_status", decision="allowed") >= (
            s.max_lookups_per_hour
        ):
            return _refuse(call, "rate limited")
        if call.tool in ACCOUNT_TOOLS:
            # in a shared thread, verification belongs to the person who gave it
            if self.session.verified is None or self.session.verified_by != self.who:
                return _refuse(call, "not verified")
            if args.account_id != self.session.verified:  # type: ignore[attr-defined]
                return _refuse(call, "not the verified account")
        return None

    def run(self, call: BankCall) -> ToolOutcome:
        s, args = self.services, TOOLS[call.tool].model_validate(call.args)
        result: dict[str, Any]
        if call.tool == "verify_identity":
            account = s.store.get(args.account_id)
            if account is None or account.name.strip().lower() != args.name.strip().lower():
                return _refuse(call, "not verified")  # the same answer whether or not it exists
            self.session.verified = account.account_id
            self.session.verified_by = self.who
            self.session.account_id = account.account_id
            result = {"account_id": account.account_id, "name": account.name}
        elif call.tool == "account_status":
            account = s.store.get(args.account_id)
            if account is None:
                return _refuse(call, "not verified")
            result = account.model_dump(mode="json")
        elif call.tool == "required_documents":
            guide = s.guides.get(args.reason)
            result = guide.model_dump(mode="json") if guide else {"reason": args.reason, "documents": []}
        elif call.tool == "request_resubmission":
            result = s.store.request_resubmission(args.account_id, args.document).model_dump(mode="json")
        else:
            passages = s.faq.search(args.question, k=2).passages if s.faq else []
            result = {"passages": [p.model_dump(mode="json") for p in passages]}
        return ToolOutcome(call_id=call.id, tool=call.tool, decision="allowed", result=result)


FREE_TEXT_ARGS = ("document", "question")


async def screened(call: BankCall, context: AgentContext) -> ToolOutcome | None:
    """The guardrail's hook: free text a model puts into tool arguments is checked like user input."""
    text = " ".join(str(call.args[k]) for k in FREE_TEXT_ARGS if call.args.get(k))
    if context.guardrail is None or not text:
        return None
    verdict = await context.guardrail.check(text, "input")
    return _refuse(call, "blocked by guardrail") if verdict.action == "block" else None


async def tool_guard(state: State, runtime: Runtime[AgentContext]) -> Command:
    services = runtime.context.bank
    assert services is not None, "the banking agent runs only with bank services"
    guard = _Guard(services, state)
    calls = state.get("bank_calls") or []
    outcomes: list[ToolOutcome] = []
    for call in calls:
        refusal = guard.check(call, calls) or await screened(call, runtime.context)
        if refusal is None and call.tool in WRITE_TOOLS and not call.approved:
            guard.session.pending_approval = call
            guard.session.approval_expires = services.clock() + services.approval_ttl
            return Command(goto="approval", update={"bank": guard.session, "bank_calls": []})
        try:
            outcome = refusal or await asyncio.to_thread(guard.run, call)
        except AccountNotFoundError:
            outcome = _refuse(call, "not verified")
        except AccountStoreError as exc:
            log.warning("account store unavailable: %s", exc)
            outcome = _refuse(call, "unavailable")
        guard.audit(call, outcome)
        guard.after(call, outcome)
        outcomes.append(outcome)
    previous = state.get("bank_results") or []
    return Command(
        goto="banking",
        update={"bank": guard.session, "bank_calls": [], "bank_results": [*previous, *outcomes]},
    )
