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
# any separator between digit groups: spaces, dots, dashes, slashes ("4973.6993.5632.7290")
_CARD = re.compile(r"(?<![\d.\-/])(?:\d[ .\-/_]{0,2}){12,18}\d(?![\d\-/]|\.\d)")
# Anything shaped like an SSN is masked, sample numbers included (Presidio skips those on purpose).
_SSN = re.compile(r"(?<![\d-])\d{3}[- ]\d{2}[- ]\d{4}(?![\d-])")
# nine digits in a row, or dotted, when the words around them say what they are
_SSN_NAMED = re.compile(
    r"(?i)\b(ssn|ss#|social[ -]security(?:[ -](?:number|no\.?|num|#))?|soc\.? ?sec\.?)\b\D{0,25}?"
    r"(?<![\d-])(\d{9}|\d{3}[.]\d{2}[.]\d{4})(?!\d)"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b", re.I)
_AWS_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b")
_AWS_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
# a secret right after its name, as in a credentials file or an env var: masked whatever it looks like
_AWS_SECRET_NAMED = re.compile(
    r"(?i)\b(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret(?:_?key)?|secret key)\b"
    r"[\"']?\s*[:=]?\s*[\"']?"
    r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
)
# numbers without a +country code are read as US and UK, then as the countries the text points to
_PHONE_REGIONS = ("US", "GB")
_REGION_HINTS = {
    r"\.de\b|\bdeutsch|\bgermany|\bnummer\b|\btelefon": "DE",
    r"\.fr\b|\bfrance\b|\bnum[ée]ro\b|\bt[ée]l[ée]phone\b": "FR",
    r"\.es\b|\bspain\b|\bespaña\b|\btel[ée]fono\b": "ES",
    r"\.it\b|\bital|\btelefono\b|\bcellulare\b": "IT",
    r"\.be\b|\bbelgi": "BE",
    r"\.nl\b|\bnederland|\btelefoonnummer\b": "NL",
    r"\.in\b|\bindia\b": "IN",
    r"\.au\b|\baustralia": "AU",
    r"\.br\b|\bbrasil|\bbrazil|\bcelular\b": "BR",
    r"\.ca\b|\bcanada": "CA",
    r"\.ie\b|\bireland": "IE",
}
# a national number in groups ("07700 900123", "06 12 34 56 78", "01.45.67.89.10") or any +number
_LOOSE_PHONE = re.compile(
    r"(?<![\w+\-/.])(?:\+\d{1,3}[ .\-]?|0)\d{1,5}(?:[ .\-]\d{2,8}){1,4}(?![\w\-/]|\.\d)"
)
# a national number (leading 0, no country code) is read in these countries too, whatever the text
# says: it is masked only when it is a valid, assigned-range number in one of them
_COMMON_REGIONS = ("GB", "DE", "FR", "IN", "US", "ES", "IT", "NL", "AU", "CA")
# digits that name something else: a port, a parcel, an order, a build
_NOT_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:ports?|tracking|parcel|shipment|package|colis|sendung|paket|order|ticket|invoice|build|version"
    r"|id|ref|case|account|acct|serial|isbn)\b[\w\s#:.-]{0,12}$"
)
# what a phone number is not: dates, versions, identifiers with a letter prefix ("INV-2025-000123")
_NOT_PHONE = re.compile(
    r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$|^\d{1,2}\.\d{1,3}\.\d{1,3}(?!\d)"
)
_ID_PREFIX = re.compile(
    r"(?i)(?:[a-z]{1,10}[-#_/]|#|\b(?:invoice|inv|order|ticket|ref|reference|build|version|v|po|case|id|isbn|no)\.?\s*[:#]?\s*)$"
)


# "221B Baker Street", "1600 Pennsylvania Ave NW": a number, one to four capitalised words, a street type
_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\.?\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr"
    r"|Court|Ct|Way|Place|Pl|Terrace|Close|Crescent|Square|Sq|Parkway|Pkwy|Highway|Hwy)\b\.?(?:\s+(?:NW|NE|SW|SE))?"
    r"(?:,?\s+(?:Apt|Suite|Unit|Flat)\.?\s*\w+)?"
)


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


def _phone_like(text: str, start: int, end: int) -> bool:
    """Not a date, a version or an identifier that merely contains digits."""
    candidate = text[start:end].strip()
    if _NOT_PHONE.search(candidate):
        return False
    before = text[max(0, start - 20) : start]
    return not (_ID_PREFIX.search(before) and not candidate.startswith(("+", "(")))


def _iban_end(candidate: str) -> int | None:
    """Where the valid IBAN in a candidate ends: the pattern may have run into the next word
    ("BE68 5390 0754 7034 please"). ISO 7064 check digits decide; national checksums are skipped
    (published sample IBANs fail them)."""
    groups = [g.end() for g in re.finditer(r"[A-Za-z0-9]+", candidate)]
    for end in reversed(groups):
        if end >= 12 and iban.is_valid(candidate[:end], check_country=False):
            return end
    return None


def _regions(text: str) -> list[str]:
    hinted = [region for pattern, region in _REGION_HINTS.items() if re.search(pattern, text, re.I)]
    hinted += [m.group(0)[:2].upper() for m in _IBAN.finditer(text)]
    return list(dict.fromkeys([*_PHONE_REGIONS, *hinted]))[:6]


def _phones(text: str) -> Iterator[PiiMatch]:
    seen: set[tuple[int, int]] = set()
    for region in _regions(text):
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if (
                (m.start, m.end) not in seen
                and _phone_like(text, m.start, m.end)
                and not _NOT_PHONE_CONTEXT.search(text[max(0, m.start - 30) : m.start])
            ):
                seen.add((m.start, m.end))
                yield PiiMatch(type="PHONE", start=m.start, end=m.end)
    for m in _LOOSE_PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if not 10 <= len(digits) <= 13 or _NOT_PHONE_CONTEXT.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        if m.group(0).startswith("+"):
            if _phone_like(text, m.start(), m.end()) and _parses(m.group(0), None, valid=False):
                yield PiiMatch(type="PHONE", start=m.start(), end=m.end())
            continue
        # a grouped national number ("01.45.67.89.10") may look like a version: validity decides
        if not _phone_like(text, m.start(), m.end()) and not _ID_PREFIX.search(
            text[max(0, m.start() - 20) : m.start()]
        ):
            if not any(_parses(m.group(0), r, valid=True) for r in _COMMON_REGIONS):
                continue
        elif not _phone_like(text, m.start(), m.end()):
            continue
        regions = dict.fromkeys([*_regions(text), *_COMMON_REGIONS])
        if _parses(m.group(0), "GB", valid=False) or any(_parses(m.group(0), r, valid=True) for r in regions):
            yield PiiMatch(type="PHONE", start=m.start(), end=m.end())


def _parses(candidate: str, region: str | None, valid: bool) -> bool:
    """A possible number (valid=False) or one in an assigned range (valid=True) in this region."""
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) if valid else phonenumbers.is_possible_number(number)


def _found(text: str, custom: list[CustomRegex]) -> Iterator[PiiMatch]:
    for m in _EMAIL.finditer(text):
        yield PiiMatch(type="EMAIL", start=m.start(), end=m.end())
    for m in _AWS_ACCESS_KEY.finditer(text):
        yield PiiMatch(type="AWS_ACCESS_KEY", start=m.start(), end=m.end())
    for m in _AWS_SECRET_NAMED.finditer(text):
        yield PiiMatch(type="AWS_SECRET_KEY", start=m.start(1), end=m.end(1))
    for m in _AWS_SECRET_KEY.finditer(text):
        if _secret_like(m.group(0)):
            yield PiiMatch(type="AWS_SECRET_KEY", start=m.start(), end=m.end())
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            end = m.end() - (len(m.group(0)) - len(m.group(0).rstrip(" .-/_")))
            yield PiiMatch(type="CREDIT_DEBIT_CARD_NUMBER", start=m.start(), end=end)
    for m in _IBAN.finditer(text):
        if (end := _iban_end(m.group(0))) is not None:
            yield PiiMatch(type="INTERNATIONAL_BANK_ACCOUNT_NUMBER", start=m.start(), end=m.start() + end)
    for m in _SSN.finditer(text):
        yield PiiMatch(type="US_SOCIAL_SECURITY_NUMBER", start=m.start(), end=m.end())
    for m in _SSN_NAMED.finditer(text):
        yield PiiMatch(type="US_SOCIAL_SECURITY_NUMBER", start=m.start(2), end=m.end(2))
    yield from _phones(text)
    for m in _ADDRESS.finditer(text):
        yield PiiMatch(type="ADDRESS", start=m.start(), end=m.end())
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
