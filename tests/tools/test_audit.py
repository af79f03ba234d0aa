"""The audit log: record, tail, count with time windows and filters, concurrent writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tools.audit import AuditEntry, AuditLog

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def entry(minutes: float = 0, **overrides: object) -> AuditEntry:
    fields: dict[str, object] = {
        "time": T0 + timedelta(minutes=minutes),
        "user": "U1",
        "platform": "slack",
        "conversation": "slack:C1:1.0",
        "account": "6666",
        "tool": "get_account_status",
        "decision": "allowed",
        "reason": "ok",
    }
    fields.update(overrides)
    return AuditEntry.model_validate(fields)


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit" / "audit.db")


def test_empty_log(log: AuditLog) -> None:
    assert log.tail() == []
    assert log.count("U1", "slack", since=T0) == 0


def test_record_and_tail_newest_last(log: AuditLog) -> None:
    entries = [entry(i, reason=f"r{i}") for i in range(25)]
    for e in entries:
        log.record(e)
    assert log.tail() == entries[-20:]
    assert log.tail(3) == entries[-3:]
    assert log.tail(0) == []
    assert log.tail(100) == entries


def test_tail_orders_by_time_not_insertion(log: AuditLog) -> None:
    late, early = entry(5, reason="late"), entry(1, reason="early")
    log.record(late)
    log.record(early)
    assert [e.reason for e in log.tail()] == ["early", "late"]


def test_entries_round_trip_with_none_account(log: AuditLog) -> None:
    e = entry(account=None, decision="refused", reason="not_verified")
    log.record(e)
    assert log.tail(1) == [e]
    assert log.tail(1)[0].time.tzinfo is not None


def test_times_are_stored_in_utc() -> None:
    chicago = timezone(timedelta(hours=-6))
    e = entry(time=datetime(2026, 11, 2, 3, 0, tzinfo=chicago))
    assert e.time == T0 and e.time.utcoffset() == timedelta(0)
    assert entry(time=datetime(2026, 11, 2, 9, 0)).time == T0  # naive means UTC
    assert AuditEntry(user="U", platform="p", tool="t", decision="allowed").time.tzinfo is not None


def test_count_since_and_filters(log: AuditLog) -> None:
    log.record(entry(0))
    log.record(entry(1, decision="refused", reason="rate_limited"))
    log.record(entry(2, decision="refused", reason="not_verified", tool="request_resubmission"))
    log.record(entry(3))
    log.record(entry(3, user="U2"))
    log.record(entry(3, platform="discord"))

    assert log.count("U1", "slack", since=T0) == 4
    assert log.count("U1", "slack", since=T0 + timedelta(minutes=1)) == 3  # `since` is inclusive
    assert log.count("U1", "slack", since=T0 + timedelta(minutes=1, seconds=1)) == 2
    assert log.count("U1", "slack", since=T0 + timedelta(hours=1)) == 0
    assert log.count("U1", "slack", since=T0, tool="get_account_status") == 3
    assert log.count("U1", "slack", since=T0, decision="refused") == 2
    assert log.count("U1", "slack", since=T0, decision="refused", reason="not_verified") == 1
    assert log.count("U1", "slack", since=T0, tool="request_resubmission", decision="allowed") == 0
    assert log.count("U2", "slack", since=T0) == 1
    assert log.count("U1", "discord", since=T0) == 1
    # a `since` in another time zone means the same instant
    elsewhere = (T0 + timedelta(minutes=2)).astimezone(timezone(timedelta(hours=5)))
    assert log.count("U1", "slack", since=elsewhere) == 2


def test_log_survives_reopening(tmp_path: Path) -> None:
    AuditLog(tmp_path / "a.db").record(entry())
    assert len(AuditLog(tmp_path / "a.db").tail()) == 1


def test_concurrent_writers(log: AuditLog) -> None:
    threads, per_thread = 8, 50
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                log.record(entry(i / 100, user=f"U{n}", reason=f"{n}-{i}"))
                log.count(f"U{n}", "slack", since=T0)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert len(log.tail(threads * per_thread + 10)) == threads * per_thread
    assert all(log.count(f"U{n}", "slack", since=T0) == per_thread for n in range(threads))
