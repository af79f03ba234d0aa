"""The demo "Bank of Chicago" account store behind the banking agent (SQLite or DynamoDB)."""

from __future__ import annotations

from tools.bank.data import FAQ_FILE, load_demo_accounts, load_document_guides
from tools.bank.models import Account, AccountStatus, DocumentGuide, Resubmission
from tools.bank.store import (
    AccountNotFoundError,
    AccountStore,
    AccountStoreError,
    DynamoDBAccountStore,
    SqliteAccountStore,
)

__all__ = [
    "FAQ_FILE",
    "Account",
    "AccountNotFoundError",
    "AccountStatus",
    "AccountStore",
    "AccountStoreError",
    "DocumentGuide",
    "DynamoDBAccountStore",
    "Resubmission",
    "SqliteAccountStore",
    "load_demo_accounts",
    "load_document_guides",
]
