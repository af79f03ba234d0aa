"""What the banking agent reaches the outside through (built in `bots`, faked in tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.retriever import HybridRetriever
    from tools.audit import AuditLog
    from tools.bank.models import DocumentGuide
    from tools.bank.store import AccountStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BankServices:
    store: AccountStore
    audit: AuditLog
    guides: dict[str, DocumentGuide]
    faq: HybridRetriever | None = None
    clock: Callable[[], datetime] = utc_now
    max_failed_verifications: int = 3  # per user: then that user is locked out
    max_failed_per_account: int = 5  # per account, across all users and conversations: then the account is
    lockout: timedelta = field(default=timedelta(minutes=15))
    max_lookups_per_hour: int = 10
    lookup_window: timedelta = field(default=timedelta(hours=1))
    approval_ttl: timedelta = field(default=timedelta(minutes=10))
