"""`aifbot bank seed` fills DynamoDB (moto's server) or SQLite; `aifbot audit tail` reads the log."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from bots.cli import app, main
from tests.dynamodb import make_dynamodb_client
from tools.audit import AuditEntry, AuditLog
from tools.bank.store import DynamoDBAccountStore

runner = CliRunner()


def test_seed_dynamodb(monkeypatch: pytest.MonkeyPatch, moto_dynamodb_endpoint: str) -> None:
    monkeypatch.setenv("AIFBOT_BANK_BACKEND", "dynamodb")
    monkeypatch.setenv("AIFBOT_DYNAMODB_ENDPOINT_URL", moto_dynamodb_endpoint)
    result = runner.invoke(app, ["bank", "seed"])
    assert result.exit_code == 0, result.output
    store = DynamoDBAccountStore(make_dynamodb_client(moto_dynamodb_endpoint))
    assert store.get("7777").reason == "InvalidAddressProof"


def test_seed_with_dynamodb_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("AIFBOT_BANK_BACKEND", "dynamodb")
    monkeypatch.setenv("AIFBOT_DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(sys, "argv", ["aifbot", "bank", "seed"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "not reachable" in err and "Traceback" not in err


def test_audit_tail(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFBOT_DATA_DIR", str(tmp_path))
    AuditLog(tmp_path / "aifbot.sqlite3").record(  # the state database under the data dir
        AuditEntry(
            time=datetime.now(UTC),
            user="U1",
            platform="slack",
            account="6666",
            tool="account_status",
            decision="refused",
            reason="not verified",
        )
    )
    result = runner.invoke(app, ["audit", "tail", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["entries"][0]["reason"] == "not verified"
    assert "account_status 6666 refused not verified" in runner.invoke(app, ["audit", "tail"]).output
