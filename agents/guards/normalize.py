"""Undoing the tricks people use to slip text past filters, before any detector looks at it.

`prepare(text)` gives the detection copy plus what was hidden in it: text smuggled in Unicode tag
characters, payloads encoded in base64, hex, URL encoding or rot13, and split payloads joined
back together. Each trick that was undone is flagged, so a finding can say how a message hid
something. `normalize(text)` is the detection copy alone."""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
import unicodedata
from functools import cache
from importlib import resources
from urllib.parse import unquote

from pydantic import BaseModel, Field

MAX_SEGMENTS = 6  # decoded payloads scanned again per message: bounded work for any paste

_ANSI = re.compile(
    r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\^\[\[[0-9;]*m"
)
_TAGS = re.compile(r"[\U000e0000-\U000e007f]+")
# emoji subdivision flags (England, Scotland, Wales) are the one honest use of tag characters
_FLAG_TAGS = re.compile(r"\U0001f3f4[\U000e0061-\U000e007a]{2,6}\U000e007f")
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    r"\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001d173-\U0001d17a]"
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# Three or more single letters separated by one space, dot, dash, underscore or star: "i g n o r e"
_SPACED = re.compile(r"(?<![\w])(?:[^\W\d_][ .\-_*]){2,}[^\W\d_](?![\w])")
# words of 4+ characters with 2+ letters and a leet digit ("1gn0r3"); keeps S3, EC2, p4d as they are
_LEET_WORD = re.compile(r"\b(?=(?:\w*[a-z]){2})(?=\w*[013457@$])[\w@$]{4,}\b")
# profanity with the vowels starred out: "f***ing", "sh*t"
_STARRED = {re.compile(r"\bf[*@#]+(k|ck|cking|king|ing)\b"): "fucking", re.compile(r"\bsh[*@#]+t\b"): "shit"}

_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"(?<![0-9A-Fa-f])(?:(?:\\x|0x)?[0-9A-Fa-f]{2}[ :]?){8,}(?![0-9A-Fa-f])")
_URL_ENCODED = re.compile(r"(?:%[0-9A-Fa-f]{2}[^%\s]{0,3}){3,}")
_ROT13_HINT = re.compile(r"\b(rot-?13|rot ?13|caesar|cipher|cifrado|chiffr)", re.I)
_REVERSE_HINT = re.compile(r"\b(reversed?|backwards?|rückwärts|al rev[eé]s|à l'envers|invers)", re.I)
# split payloads: quoted pieces or variables meant to be put together
_PIECE = re.compile(r"[\"'“‘]([^\"'“”‘’\n]{1,80})[\"'”’]")
_JOIN_HINT = re.compile(
    r"\b(concat\w*|combine|join|append|put (them|these|the parts) together|merge|a ?\+ ?b|x ?\+ ?y|part ?[12]"
    r"|first part|second part|then (say|do|answer)|verbinde|junta|une|combin)",
    re.I,
)


class Normalized(BaseModel):
    """A message as the detectors see it."""

    text: str = Field(description="The detection copy: folded, lower case, tricks undone.")
    hidden: list[str] = Field(
        default_factory=list, description="Detection copies of decoded or smuggled payloads."
    )
    flags: list[str] = Field(
        default_factory=list, description="Tricks found: HIDDEN_TAGS, INVISIBLE, HOMOGLYPHS, BASE64, ..."
    )


def strip_terminal_codes(text: str) -> str:
    """Colour and cursor codes pasted from a terminal ("\\x1b[31mRAG" → "RAG")."""
    return _ANSI.sub("", text)


@cache
def _confusable_table() -> dict[int, str]:
    """Non-Latin characters that look like one ASCII letter or digit, from Unicode's confusables
    data as the confusable-homoglyphs package ships it (TR39)."""
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    )
    table: dict[int, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii():
            continue
        latin = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()]
        if latin:
            table[ord(char)] = latin[0]
    for ascii_char, glyphs in data.items():  # the reverse direction: 'a' lists 'а' (Cyrillic)
        if len(ascii_char) == 1 and ascii_char.isascii() and ascii_char.isalpha():
            for glyph in glyphs:
                c = glyph["c"]
                if len(c) == 1 and not c.isascii() and unicodedata.category(c).startswith("L"):
                    table.setdefault(ord(c), ascii_char)
    return table


def _fold_word(word: str, table: dict[int, str]) -> str:
    return word.translate(table)


def fold_homoglyphs(text: str) -> tuple[str, bool]:
    """Look-alikes folded to Latin where a word mixes scripts ("ignоrе" with Cyrillic о, е), or
    where a mostly Latin message has words written wholly in look-alikes. Words of a genuinely
    non-Latin message (Russian, Greek) are left alone: they are a language, not a disguise."""
    table = _confusable_table()
    letters = [c for c in text if c.isalpha()]
    if not letters or all(c.isascii() for c in letters):
        return text, False
    latin_share = sum(c.isascii() for c in letters) / len(letters)
    changed = False

    def fold(m: re.Match[str]) -> str:
        nonlocal changed
        word = m.group(0)
        if word.isascii():
            return word
        has_latin = any(c.isascii() and c.isalpha() for c in word)
        foldable = all(c.isascii() or ord(c) in table for c in word)
        if (has_latin and foldable) or (latin_share >= 0.6 and foldable):
            folded = _fold_word(word, table)
            changed = changed or folded != word
            return folded
        return word

    return re.sub(r"\w+", fold, text), changed


def _join_spaced(text: str) -> str:
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)


def _readable(raw: bytes) -> str | None:
    """Decoded bytes that are text a person could read (not binary, not another blob)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text) < 4:
        return None
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text) / len(text)
    letters = sum(ch.isalpha() for ch in text) / len(text)
    return text if printable > 0.95 and letters > 0.5 and " " in text.strip() else None


def _decoded(text: str) -> list[tuple[str, str]]:
    """(flag, payload) for every encoded run that decodes to readable text."""
    found: list[tuple[str, str]] = []
    for m in _BASE64.finditer(text[:20_000]):
        blob = m.group(0)
        if len(found) >= MAX_SEGMENTS or not re.search(r"[A-Z]", blob) or not re.search(r"[a-z0-9]", blob):
            continue
        try:
            raw = base64.b64decode(blob.replace("-", "+").replace("_", "/") + "=" * (-len(blob) % 4))
        except (binascii.Error, ValueError):
            continue
        if decoded := _readable(raw):
            found.append(("BASE64", decoded))
    for m in _HEX.finditer(text[:20_000]):
        digits = re.sub(r"\\x|0x|[ :]", "", m.group(0))
        if len(found) >= MAX_SEGMENTS or len(digits) % 2:
            continue
        if decoded := _readable(bytes.fromhex(digits)):
            found.append(("HEX", decoded))
    if _URL_ENCODED.search(text):
        decoded = unquote(text[:20_000])
        if decoded != text[:20_000]:
            found.append(("URL_ENCODED", decoded))
    if _ROT13_HINT.search(text):
        found.append(("ROT13", codecs.decode(text[:4000], "rot13")))
    if _REVERSE_HINT.search(text):
        found.append(("REVERSED", text[:4000][::-1]))
    return found


def _joined(text: str) -> str | None:
    """Quoted pieces put together when the message asks for them to be combined."""
    if not _JOIN_HINT.search(text):
        return None
    pieces = _PIECE.findall(text[:4000])
    if len(pieces) < 2:
        return None
    return " ".join(p.strip() for p in pieces)


def _detection_copy(text: str) -> str:
    text = re.sub(r" {2,}|[ \t]*/[ \t]*", "  ", text)
    text = _join_spaced(text)
    text = text.lower()
    text = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), text)
    for pattern, word in _STARRED.items():
        text = pattern.sub(word, text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)  # line breaks stay: they end sentences


def _unicode(text: str, flags: list[str]) -> str:
    text = strip_terminal_codes(text)
    text = unicodedata.normalize("NFKC", text)
    if len(_INVISIBLE.findall(text)) >= 2:
        flags.append("INVISIBLE")
    text = _INVISIBLE.sub("", text)
    text, folded = fold_homoglyphs(text)
    if folded:
        flags.append("HOMOGLYPHS")
    return text


def prepare(text: str) -> Normalized:
    """The detection copy of a message and the payloads hidden in it."""
    flags: list[str] = []
    hidden: list[str] = []
    text = _FLAG_TAGS.sub("", text)
    smuggled = "".join(
        chr(ord(c) - 0xE0000) for run in _TAGS.findall(text) for c in run if 0xE0020 <= ord(c) <= 0xE007E
    )
    if len(smuggled.strip()) >= 3:
        flags.append("HIDDEN_TAGS")
        hidden.append(smuggled)
    text = _TAGS.sub("", text)
    text = _unicode(text, flags)
    for flag, payload in _decoded(text):
        flags.append(flag)
        hidden.append(payload)
    if joined := _joined(text):
        flags.append("SPLIT")
        hidden.append(joined)
    copies = [_detection_copy(_unicode(h, [])) for h in hidden[:MAX_SEGMENTS]]
    return Normalized(
        text=_detection_copy(text),
        hidden=[c for c in copies if c],
        flags=list(dict.fromkeys(flags)),
    )


def normalize(text: str) -> str:
    """A detection copy of the text: terminal codes and invisible characters removed, NFKC,
    look-alikes folded, spaced-out letters joined, leetspeak inside words undone, lower case,
    spaces collapsed (line breaks kept)."""
    return _detection_copy(_unicode(_TAGS.sub("", text), []))
