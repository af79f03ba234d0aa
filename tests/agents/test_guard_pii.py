"""Sensitive information: validated shapes in many formats, and no masks on look-alikes."""

from __future__ import annotations

import pytest

from agents.guards.messages import masked_notice
from agents.guards.pii import find_pii, mask


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my social security number is 078051120", "US_SOCIAL_SECURITY_NUMBER"),
        ("SSN: 078 05 1120", "US_SOCIAL_SECURITY_NUMBER"),
        ("card 4973.6993.5632.7290 thanks", "CREDIT_DEBIT_CARD_NUMBER"),
        ("card 4973/6993/5632/7290", "CREDIT_DEBIT_CARD_NUMBER"),
        ("pay with 4111111111111111", "CREDIT_DEBIT_CARD_NUMBER"),
        ("call me on 07700 900123", "PHONE"),
        ("or +44 7700 900123", "PHONE"),
        ("Mon numéro est le 06 12 34 56 78", "PHONE"),
        ("text 312.555.0123", "PHONE"),
        ("+91 98765 43210 is my cell", "PHONE"),
        ("Belgian IBAN BE68 5390 0754 7034", "INTERNATIONAL_BANK_ACCOUNT_NUMBER"),
        ("IBAN ES91 2100 0418 4502 0005 1332", "INTERNATIONAL_BANK_ACCOUNT_NUMBER"),
        ("NO93 8601 1117 947", "INTERNATIONAL_BANK_ACCOUNT_NUMBER"),
        ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_KEY"),
        ("aws_secret_access_key = abcdefghijklmnopqrstuvwxyzabcdefghijklmn", "AWS_SECRET_KEY"),
        ("I live at 221B Baker Street, London", "ADDRESS"),
    ],
)
def test_structured_values_in_many_formats(text: str, kind: str) -> None:
    assert kind in [m.type for m in find_pii(text)], text


LOOK_ALIKES = [
    "Invoice INV-2025-000123 is overdue",
    "version 10.2.3 released 2025-01-15",
    "exam AIF-C01 on 12/05/2024",
    "order #100234567 shipped",
    "ticket 4521234",
    "score 720 out of 1000",
    "build 20250115",
    "ISBN 978-3-16-148410-0",
    "timestamp 1700000000123",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    "port 8080",
    "65 questions in 90 minutes",
    "Meeting at 10:30 on 03.04.2025",
    "python 3.11.7",
    "model v2.1.0-beta",
    "ip 10.0.0.1",
    "RFC 7231",
    "chapter 3.2.1",
    "ref ABC-12345-678",
    "PO-2024-99812",
    "case 00123456",
    "node 18.19.0",
    "2026-11-27T12:00:00Z",
    "amount 1,234,567.89 USD",
    "account 5555",
    "account 7777 pending",
    "pi is 3.14159265",
    "TLS 1.3",
    "S3 bucket arn:aws:s3:::my-bucket",
    "EC2 i-0abcd1234ef567890",
    "us-east-1",
    "c5.4xlarge",
    "Domain 3 is 28%",
    "question 42 of 65",
    "page 120",
    "PR #4521",
    "SKU 883-229-01",
    "temperature 0.7, top_p 0.9",
    "batch size 32, 10 epochs",
    "HTTP 429",
    "2024/11/05",
    "05-11-2024",
    "sha256 9f86d081884c7d659a2feaa0c55ad015",
    "error code 0x80070005",
    "zip file 20251203_backup.zip",
    "ISO 42001",
    "EU AI Act article 52",
    "latency p99 30 ms",
    "1e-5 learning rate",
    "see section 4.2.1.3 of the guide",
]


def test_look_alikes_are_left_alone() -> None:
    assert len(LOOK_ALIKES) == 50
    masked = [(t, [m.type for m in find_pii(t)]) for t in LOOK_ALIKES]
    assert sum(bool(kinds) for _, kinds in masked) <= 1, [m for m in masked if m[1]]


def test_masks_and_the_notice() -> None:
    text = "card 4973.6993.5632.7290, phone +44 7700 900123"
    matches = find_pii(text)
    assert mask(text, matches) == "card {CREDIT_DEBIT_CARD_NUMBER}, phone {PHONE}"
    notice = masked_notice([m.type for m in matches])
    assert notice is not None and "a card number and a phone number" in notice
    assert masked_notice([]) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("kannst du mich unter 0176 98765432 zurückrufen?", "0176 98765432"),
        ("mon portable : 07 98 76 54 32, merci", "07 98 76 54 32"),
        ("le bureau, c'est le 04.78.12.34.56", "04.78.12.34.56"),
        ("reach me at 0412 345 678 after six", "0412 345 678"),
        ("mi numero è 0331 8765432", "0331 8765432"),
    ],
)
def test_national_phone_numbers_without_a_country_code(text: str, number: str) -> None:
    assert [text[m.start : m.end] for m in find_pii(text) if m.type == "PHONE"] == [number]


@pytest.mark.parametrize(
    "text",
    [
        "my parcel tracking number is 0698 7654 3210, where is it?",
        "the shipment 0176 98765432 left the depot",
        "open port 8443 and port 22 on the security group",
        "order 0331 8765432 was charged twice",
        "release 04.78.12.34 notes",
    ],
)
def test_numbers_that_name_something_else_are_not_phones(text: str) -> None:
    assert [m.type for m in find_pii(text)] == []
