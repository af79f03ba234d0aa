"""Sensitive information in text: found with validated patterns (Luhn for cards, ISO 7064 for
IBANs, libphonenumber for phones) and masked the way Bedrock masks it: `{EMAIL}`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from pydantic import BaseModel
from stdnum import iban, luhn

from agents.guards.policy import CustomRegex

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
# Anything shaped like an SSN is masked, sample numbers included (Presidio skips those on purpose).
_SSN = re.compile(r"(?<![\d-])\d{3}[- ]\d{2}[- ]\d{4}(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_AWS_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b")
_AWS_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_PHONE_REGIONS = ("US", "GB")  # numbers without a +country code are read as US, then UK


class PiiMatch(BaseModel):
    type: str
    start: int
    end: int
    action: str = "ANONYMIZE"


def _secret_like(candidate: str) -> bool:
    """AWS secret keys mix cases and digits; a git SHA (hex) or a plain word run does not."""
    return (
        any(c.islower() for c in candidate)
        and any(c.isupper() for c in candidate)
        and any(c.isdigit() for c in candidate)
        and not re.fullmatch(r"[0-9a-fA-F]+", candidate)
    )


def _found(text: str, custom: list[CustomRegex]) -> Iterator[PiiMatch]:
    for m in _EMAIL.finditer(text):
        yield PiiMatch(type="EMAIL", start=m.start(), end=m.end())
    for m in _AWS_ACCESS_KEY.finditer(text):
        yield PiiMatch(type="AWS_ACCESS_KEY", start=m.start(), end=m.end())
    for m in _AWS_SECRET_KEY.finditer(text):
        if _secret_like(m.group(0)):
            yield PiiMatch(type="AWS_SECRET_KEY", start=m.start(), end=m.end())
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            yield PiiMatch(type="CREDIT_DEBIT_CARD_NUMBER", start=m.start(), end=m.end())
    for m in _IBAN.finditer(text):
        if iban.is_valid(m.group(0)):
            yield PiiMatch(type="INTERNATIONAL_BANK_ACCOUNT_NUMBER", start=m.start(), end=m.end())
    for m in _SSN.finditer(text):
        yield PiiMatch(type="US_SOCIAL_SECURITY_NUMBER", start=m.start(), end=m.end())
    for region in _PHONE_REGIONS:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            yield PiiMatch(type="PHONE", start=m.start, end=m.end)
    for rule in custom:
        for m in re.finditer(rule.pattern, text):
            yield PiiMatch(type=rule.name, start=m.start(), end=m.end(), action=rule.action)


def find_pii(text: str, custom: list[CustomRegex] | None = None) -> list[PiiMatch]:
    """Non-overlapping matches, the longest winning where two overlap (a card beats a phone)."""
    chosen: list[PiiMatch] = []
    for match in sorted(_found(text, custom or []), key=lambda m: (m.start - m.end, m.start)):
        if all(match.end <= c.start or match.start >= c.end for c in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.start)


def mask(text: str, matches: list[PiiMatch]) -> str:
    for match in sorted(matches, key=lambda m: -m.start):
        text = f"{text[: match.start]}{{{match.type}}}{text[match.end :]}"
    return text
