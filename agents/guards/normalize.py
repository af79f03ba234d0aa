"""Undoing the tricks people use to slip text past filters, before any detector looks at it."""

from __future__ import annotations

import re
import unicodedata

# Latin look-alikes from Cyrillic and Greek (the common confusables; NFKC does not fold these).
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁһԛԝАВЕКМНОРСТХІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhqwABEKMHOPCTXIJSabeiknoptuxABEZHIKMNOPTYX",
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
# Three or more single letters separated by one space, dot, dash, underscore or star: "i g n o r e"
_SPACED = re.compile(r"(?<![\w])(?:[^\W\d_][ .\-_*]){2,}[^\W\d_](?![\w])")
# words of 4+ characters with 2+ letters and a leet digit ("1gn0r3"); keeps S3, EC2, p4d as they are
_LEET_WORD = re.compile(r"\b(?=(?:\w*[a-z]){2})(?=\w*[013457@$])[\w@$]{4,}\b")


def _join_spaced(text: str) -> str:
    # words spelled out letter by letter are separated by two or more spaces (or a slash)
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)


# profanity with the vowels starred out: "f***ing", "sh*t"
_STARRED = {re.compile(r"\bf[*@#]+(k|ck|cking|king|ing)\b"): "fucking", re.compile(r"\bsh[*@#]+t\b"): "shit"}


def normalize(text: str) -> str:
    """A detection copy of the text: NFKC, no invisible characters, Latin look-alikes folded,
    spaced-out letters joined, leetspeak inside words undone, lower case, spaces collapsed
    (line breaks kept)."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).translate(_CONFUSABLES)
    text = re.sub(r" {2,}|[ \t]*/[ \t]*", "  ", text)
    text = _join_spaced(text)
    text = text.lower()
    text = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), text)
    for pattern, word in _STARRED.items():
        text = pattern.sub(word, text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)  # line breaks stay: they end sentences
