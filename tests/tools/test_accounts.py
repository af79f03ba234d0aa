"""The account store: both backends pass the same tests (SQLite on file, DynamoDB on moto's server)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.dynamodb import make_dynamodb_client
from tools.bank import (
    FAQ_FILE,
    Account,
    AccountNotFoundError,
    AccountStoreError,
    DynamoDBAccountStore,
    SqliteAccountStore,
    load_demo_accounts,
    load_document_guides,
)

COURSE_ROWS = {
    "5555": ("John", "Active", None),
    "6666": ("Thomas", "Pending", "InvalidIdentification"),
    "7777": ("Manju", "Pending", "InvalidAddressProof"),
}


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path, unique_table: Callable[[], str]) -> Any:
    if request.param == "sqlite":
        return SqliteAccountStore(tmp_path / "bank.db")
    client = make_dynamodb_client(request.getfixturevalue("moto_dynamodb_endpoint"))
    return DynamoDBAccountStore(client, table=unique_table())


# ------------------------------------------------------------------------------------------ demo data


def test_demo_accounts_hold_the_course_rows_and_more() -> None:
    accounts = {a.account_id: a for a in load_demo_accounts()}
    for account_id, (name, status, reason) in COURSE_ROWS.items():
        assert (accounts[account_id].name, accounts[account_id].status, accounts[account_id].reason) == (
            name,
            status,
            reason,
        )
    assert 7 <= len(accounts) <= 9
    assert {"Active", "Pending", "Closed"} <= {a.status for a in accounts.values()}
    assert all((a.reason is None) == (a.status == "Active") for a in accounts.values())


def test_every_pending_reason_has_a_document_guide() -> None:
    guides = load_document_guides()
    pending = {a.reason for a in load_demo_accounts() if a.status == "Pending"}
    assert pending <= guides.keys()
    assert any("passport" in d.lower() for d in guides["InvalidIdentification"].documents)
    assert any("3 months" in d for d in guides["InvalidAddressProof"].documents)
    assert all(g.reason == key and g.explanation and g.documents for key, g in guides.items())


def test_faq_has_front_matter_and_sections() -> None:
    text = FAQ_FILE.read_text(encoding="utf-8")
    assert text.startswith("---\ndomain: 0\n")
    assert 'task: ""' in text.split("---")[1]
    assert text.count("\n## ") >= 6
    assert "$500" in text


def test_account_rejects_inconsistent_reason() -> None:
    with pytest.raises(ValueError):
        Account(account_id="1", name="A", status="Active", reason="InvalidIdentification")
    with pytest.raises(ValueError):
        Account(account_id="1", name="A", status="Pending", reason=None)


# ----------------------------------------------------------------------------------- both backends


def test_seed_then_get_every_demo_row(store: Any) -> None:
    accounts = load_demo_accounts()
    assert store.seed(accounts) == len(accounts)
    for account in accounts:
        assert store.get(account.account_id) == account


def test_seed_is_an_upsert(store: Any) -> None:
    accounts = load_demo_accounts()
    store.seed(accounts)
    changed = Account(account_id="6666", name="Thomas", status="Active", reason=None)
    assert store.seed([changed]) == 1
    assert store.get("6666") == changed
    store.seed(accounts)
    assert store.get("6666").reason == "InvalidIdentification"
    assert store.get("7777").name == "Manju"


def test_unknown_account_is_none(store: Any) -> None:
    store.seed(load_demo_accounts())
    assert store.get("0000") is None
    assert store.get("") is None


def test_resubmission_is_stored(store: Any) -> None:
    store.seed(load_demo_accounts())
    before = datetime.now(UTC)
    first = store.request_resubmission("7777", "Utility bill from the last 3 months")
    second = store.request_resubmission("7777", "Bank statement")
    assert first.account_id == "7777" and first.document == "Utility bill from the last 3 months"
    assert first.request_id != second.request_id
    assert before - timedelta(seconds=1) <= first.requested_at <= datetime.now(UTC)
    assert store.resubmissions("7777") == [first, second]
    assert store.resubmissions("6666") == []
    # re-seeding keeps the requests and the account row itself is unchanged
    store.seed(load_demo_accounts())
    assert store.resubmissions("7777") == [first, second]
    assert store.get("7777").status == "Pending"


def test_resubmission_for_unknown_account_is_refused(store: Any) -> None:
    store.seed(load_demo_accounts())
    with pytest.raises(AccountNotFoundError, match="There is no account '0000'") as info:
        store.request_resubmission("0000", "Passport")
    assert isinstance(info.value, AccountStoreError) and isinstance(info.value, LookupError)
    assert store.resubmissions("0000") == []
    assert store.get("0000") is None


# ----------------------------------------------------------------------------------------- failures


def test_unreachable_dynamodb_is_a_clear_error() -> None:
    store = DynamoDBAccountStore(make_dynamodb_client("http://127.0.0.1:9", attempts=1))
    started = time.monotonic()
    for call in (
        lambda: store.get("5555"),
        lambda: store.request_resubmission("7777", "Passport"),
        lambda: store.seed(load_demo_accounts()),
    ):
        with pytest.raises(AccountStoreError) as info:
            call()
        message = str(info.value)
        assert message == "The account service (DynamoDB at http://127.0.0.1:9) is not reachable right now."
        assert "testing" not in message and "John" not in message
    assert time.monotonic() - started < 30


def test_missing_dynamodb_table_is_a_clear_error(
    dynamodb_client: Any, unique_table: Callable[[], str]
) -> None:
    table = unique_table()
    with pytest.raises(AccountStoreError, match=f"has no table '{table}'"):
        DynamoDBAccountStore(dynamodb_client, table=table).get("5555")


def test_endpoint_credentials_never_reach_the_message() -> None:
    client = make_dynamodb_client("http://user:secret@127.0.0.1:9", attempts=1)
    with pytest.raises(AccountStoreError) as info:
        DynamoDBAccountStore(client).get("5555")
    assert "secret" not in str(info.value) and "user" not in str(info.value)


def test_unusable_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bank.db").mkdir()  # a directory where the database file should be
    with pytest.raises(AccountStoreError, match=r"SQLite at .* is not available right now"):
        SqliteAccountStore(tmp_path / "bank.db").get("5555")


def test_sqlite_store_is_safe_across_threads(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = SqliteAccountStore(tmp_path / "bank.db")
    store.seed(load_demo_accounts())
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: store.request_resubmission("6666", f"Passport {i}"), range(40)))
        lookups = list(pool.map(lambda _: store.get("5555"), range(40)))
    assert len({r.request_id for r in results}) == 40
    assert len(store.resubmissions("6666")) == 40
    assert all(a is not None and a.name == "John" for a in lookups)
