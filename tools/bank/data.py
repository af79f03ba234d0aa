"""The demo bank data shipped in `knowledge/bank/`."""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.documents import YAML_LOADER
from tools.bank.models import Account, DocumentGuide

BANK_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "bank"
ACCOUNTS_FILE = BANK_DIR / "accounts.yaml"
DOCUMENTS_FILE = BANK_DIR / "documents.yaml"
FAQ_FILE = BANK_DIR / "faq.md"


def load_demo_accounts(path: Path = ACCOUNTS_FILE) -> list[Account]:
    """The demo rows of `customerAccountStatus`, in file order."""
    rows = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)["accounts"]
    return [
        Account(account_id=str(r["AccountID"]), name=r["Name"], status=r["Status"], reason=r.get("Reason"))
        for r in rows
    ]


def load_document_guides(path: Path = DOCUMENTS_FILE) -> dict[str, DocumentGuide]:
    """Pending reason → what it means and which documents fix it."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    return {
        reason: DocumentGuide(reason=reason, explanation=g["explanation"], documents=g["documents"])
        for reason, g in data.items()
    }
