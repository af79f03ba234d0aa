"""Where the demo accounts live: SQLite by default, DynamoDB (table `customerAccountStatus`) on AWS.

Both backends keep the course's attribute names (AccountID, Name, Status, Reason) and fail with
`AccountStoreError` — a message fit to show the user, free of secrets — rather than inventing data.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from pydantic import ValidationError

from tools.bank.models import Account, Resubmission

TABLE = "customerAccountStatus"


class AccountStoreError(RuntimeError):
    """The account service cannot answer; the message is safe to show to the user."""


class AccountNotFoundError(AccountStoreError, LookupError):
    """A write was asked for an account id the store does not hold (also an AccountStoreError)."""

    def __init__(self, account_id: str) -> None:
        super().__init__(f"There is no account {account_id!r}.")
        self.account_id = account_id


class AccountStore(Protocol):
    """What the banking tools need from an account backend."""

    def get(self, account_id: str) -> Account | None:
        """The account, or None when no account has this id."""
        ...

    def request_resubmission(self, account_id: str, document: str) -> Resubmission:
        """Record that the customer will resubmit `document`; raises AccountNotFoundError."""
        ...

    def seed(self, accounts: list[Account]) -> int:
        """Create the table if missing and upsert `accounts`; returns how many were written."""
        ...


def _new_resubmission(account_id: str, document: str) -> Resubmission:
    return Resubmission(
        request_id=f"RS-{uuid.uuid4().hex[:10].upper()}",
        account_id=account_id,
        document=document,
        requested_at=datetime.now(UTC),
    )


# --------------------------------------------------------------------------------------------- SQLite


class SqliteAccountStore:
    """Accounts in a local SQLite file; one connection per call, so it is safe across threads."""

    def __init__(self, path: Path, table: str = TABLE) -> None:
        if not table.isidentifier():
            raise ValueError(f"not a valid table name: {table!r}")
        self.path = Path(path)
        self.table = table
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SqliteAccountStore({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction (committed on success); sqlite errors become AccountStoreError."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=30)) as conn:
                conn.row_factory = sqlite3.Row
                with conn:
                    self._ensure_schema(conn)
                    yield conn
        except (sqlite3.Error, OSError) as exc:
            message = f"The account service (SQLite at {self.path}) is not available right now."
            raise AccountStoreError(message) from exc

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        if self._schema_ready:
            return
        with self._schema_lock:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                "AccountID TEXT PRIMARY KEY, Name TEXT NOT NULL, Status TEXT NOT NULL, Reason TEXT)"
            )
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table}Resubmissions ("
                "RequestID TEXT PRIMARY KEY, AccountID TEXT NOT NULL, Document TEXT NOT NULL, "
                "RequestedAt TEXT NOT NULL)"
            )
            self._schema_ready = True

    def get(self, account_id: str) -> Account | None:
        """The account, or None when no account has this id."""
        if not account_id:
            return None
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT AccountID, Name, Status, Reason FROM {self.table} WHERE AccountID = ?", (account_id,)
            ).fetchone()
        if row is None:
            return None
        try:
            return Account(account_id=row[0], name=row[1], status=row[2], reason=row[3])
        except ValidationError as exc:
            raise AccountStoreError(
                f"The account service returned a record for account {account_id} that is not valid."
            ) from exc

    def request_resubmission(self, account_id: str, document: str) -> Resubmission:
        """Record a resubmission request; raises AccountNotFoundError for an unknown account."""
        request = _new_resubmission(account_id, document)
        with self._connect() as conn:
            known = conn.execute(f"SELECT 1 FROM {self.table} WHERE AccountID = ?", (account_id,)).fetchone()
            if known is None:
                raise AccountNotFoundError(account_id)
            conn.execute(
                f"INSERT INTO {self.table}Resubmissions (RequestID, AccountID, Document, RequestedAt) "
                "VALUES (?, ?, ?, ?)",
                (request.request_id, account_id, document, request.requested_at.isoformat()),
            )
        return request

    def resubmissions(self, account_id: str) -> list[Resubmission]:
        """Resubmission requests recorded for an account, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT RequestID, AccountID, Document, RequestedAt FROM {self.table}Resubmissions "
                "WHERE AccountID = ? ORDER BY RequestedAt, rowid",
                (account_id,),
            ).fetchall()
        return [
            Resubmission(
                request_id=r[0], account_id=r[1], document=r[2], requested_at=datetime.fromisoformat(r[3])
            )
            for r in rows
        ]

    def seed(self, accounts: list[Account]) -> int:
        """Create the tables if missing and upsert `accounts` (resubmissions are kept)."""
        with self._connect() as conn:
            conn.executemany(
                f"INSERT INTO {self.table} (AccountID, Name, Status, Reason) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(AccountID) DO UPDATE SET "
                "Name = excluded.Name, Status = excluded.Status, Reason = excluded.Reason",
                [(a.account_id, a.name, a.status, a.reason) for a in accounts],
            )
        return len(accounts)


# ------------------------------------------------------------------------------------------- DynamoDB


def _endpoint_label(client: Any) -> str:
    """scheme://host[:port] of the client's endpoint, without any credentials or path."""
    url = urlsplit(str(getattr(client.meta, "endpoint_url", "") or ""))
    if not url.hostname:
        return "AWS"
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.hostname}{port}"


class DynamoDBAccountStore:
    """Accounts in a DynamoDB table keyed by `AccountID` (type S), through a boto3 `dynamodb` client.

    Pass a client made with `endpoint_url` to use a DynamoDB-compatible server (moto, DynamoDB Local).
    Resubmission requests are kept on the account item, in a `Resubmissions` list.
    """

    def __init__(self, client: Any, table: str = TABLE) -> None:
        self.client = client
        self.table = table
        self._where = f"DynamoDB at {_endpoint_label(client)}"

    def __repr__(self) -> str:
        return f"DynamoDBAccountStore({self._where!r}, table={self.table!r})"

    @contextmanager
    def _calling(self) -> Iterator[None]:
        """Turn every botocore failure into an AccountStoreError with a plain message."""
        try:
            yield
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            if code == "ResourceNotFoundException":
                message = f"The account service ({self._where}) has no table {self.table!r} yet."
            else:
                message = f"The account service ({self._where}) refused the request ({code})."
            raise AccountStoreError(message) from exc
        except NoCredentialsError as exc:
            raise AccountStoreError(
                f"The account service ({self._where}) cannot be used: no AWS credentials are configured."
            ) from exc
        except BotoCoreError as exc:
            message = f"The account service ({self._where}) is not reachable right now."
            raise AccountStoreError(message) from exc

    def _item(self, account_id: str) -> dict[str, Any] | None:
        with self._calling():
            response = self.client.get_item(
                TableName=self.table, Key={"AccountID": {"S": account_id}}, ConsistentRead=True
            )
        return response.get("Item")

    def get(self, account_id: str) -> Account | None:
        """The account, or None when no account has this id."""
        if not account_id:
            return None
        item = self._item(account_id)
        if item is None:
            return None
        try:
            return Account(
                account_id=item["AccountID"]["S"],
                name=item["Name"]["S"],
                status=item["Status"]["S"],
                reason=item.get("Reason", {}).get("S"),
            )
        except (KeyError, ValidationError) as exc:
            raise AccountStoreError(
                f"The account service ({self._where}) returned a record for account {account_id} "
                "that is not valid."
            ) from exc

    def request_resubmission(self, account_id: str, document: str) -> Resubmission:
        """Append a request to the item's `Resubmissions`; raises AccountNotFoundError for an unknown id."""
        request = _new_resubmission(account_id, document)
        entry = {
            "M": {
                "RequestID": {"S": request.request_id},
                "Document": {"S": document},
                "RequestedAt": {"S": request.requested_at.isoformat()},
            }
        }
        with self._calling():
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key={"AccountID": {"S": account_id}},
                    UpdateExpression="SET #rs = list_append(if_not_exists(#rs, :empty), :new)",
                    ConditionExpression="attribute_exists(AccountID)",
                    ExpressionAttributeNames={"#rs": "Resubmissions"},
                    ExpressionAttributeValues={":empty": {"L": []}, ":new": {"L": [entry]}},
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                    raise AccountNotFoundError(account_id) from None
                raise
        return request

    def resubmissions(self, account_id: str) -> list[Resubmission]:
        """Resubmission requests recorded for an account, oldest first."""
        item = self._item(account_id) or {}
        return [
            Resubmission(
                request_id=e["M"]["RequestID"]["S"],
                account_id=account_id,
                document=e["M"]["Document"]["S"],
                requested_at=datetime.fromisoformat(e["M"]["RequestedAt"]["S"]),
            )
            for e in item.get("Resubmissions", {}).get("L", [])
        ]

    def _ensure_table(self) -> None:
        with self._calling():
            try:
                self.client.describe_table(TableName=self.table)
                return
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
            try:
                self.client.create_table(
                    TableName=self.table,
                    AttributeDefinitions=[{"AttributeName": "AccountID", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "AccountID", "KeyType": "HASH"}],
                    BillingMode="PAY_PER_REQUEST",
                )
            except ClientError as exc:  # someone else created it meanwhile
                if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
                    raise
            self.client.get_waiter("table_exists").wait(
                TableName=self.table, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
            )

    def seed(self, accounts: list[Account]) -> int:
        """Create the table if missing and upsert `accounts` (an item's `Resubmissions` are kept)."""
        self._ensure_table()
        with self._calling():
            for account in accounts:
                values: dict[str, Any] = {":n": {"S": account.name}, ":s": {"S": account.status}}
                expression = "SET #n = :n, #s = :s"
                if account.reason is None:
                    expression += " REMOVE #r"
                else:
                    expression += ", #r = :r"
                    values[":r"] = {"S": account.reason}
                self.client.update_item(
                    TableName=self.table,
                    Key={"AccountID": {"S": account.account_id}},
                    UpdateExpression=expression,
                    ExpressionAttributeNames={"#n": "Name", "#s": "Status", "#r": "Reason"},
                    ExpressionAttributeValues=values,
                )
        return len(accounts)
