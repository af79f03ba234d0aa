"""Model-written replies are data, not markup: images and links that would send the conversation to a
host outside the allow-list are removed (a markdown image is fetched by the client as soon as it is
shown, so its URL can carry data out), and HTML is neutralised before any renderer sees it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from agents.reply import Finding

_IMAGE = re.compile(r"!\[([^\]]{0,200})\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]{0,300})\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+).*$", re.M)  # [1]: https://... reference definitions
_SLACK_LINK = re.compile(r"<((?:https?|javascript|data):[^|>\s]+)(?:\|([^>]*))?>", re.I)
_BARE_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"']+", re.I)
_DANGEROUS_BLOCK = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|template)\b.*?(?:<\s*/\s*\1\s*>|$)", re.I | re.S
)
_HTML_TAGS = (
    "a|abbr|audio|b|base|body|br|button|code|details|div|em|embed|font|form|frame|frameset|h[1-6]|head|hr|html|i"
    "|iframe|img|input|link|li|marquee|math|meta|object|ol|option|p|pre|script|select|source|span|strong|style"
    "|summary|svg|table|td|template|textarea|th|tr|u|ul|video"
)
_TAG = re.compile(rf"</?(?:{_HTML_TAGS})\b(?:\s[^<>]*)?/?>", re.I)
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data):")


def allowed(url: str, hosts: Iterable[str]) -> bool:
    """An http(s) URL whose host is on the allow-list or under an allowed domain."""
    if url.lower().startswith("www."):
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        return False
    return any(host == h or host.endswith("." + h) for h in hosts)


def defang(text: str, hosts: Iterable[str]) -> tuple[str, list[Finding]]:
    """The reply with off-list images and links removed and HTML neutralised, and what was done."""
    hosts = [h.lower() for h in hosts]
    findings: list[Finding] = []

    def note(kind: str) -> None:
        if all(f.type != kind for f in findings):
            findings.append(Finding(policy="output", type=kind))

    def image(m: re.Match[str]) -> str:
        if allowed(m.group(2), hosts):
            return m.group(0)
        note("EXTERNAL_IMAGE")
        return f"[image removed: {m.group(1)}]" if m.group(1).strip() else "[image removed]"

    def link(m: re.Match[str]) -> str:
        if allowed(m.group(2), hosts):
            return m.group(0)
        note("EXTERNAL_LINK")
        return m.group(1)

    def slack_link(m: re.Match[str]) -> str:
        if allowed(m.group(1), hosts):
            return m.group(0)
        note("EXTERNAL_LINK")
        return m.group(2) or "[link removed]"

    def bare(m: re.Match[str]) -> str:
        url = m.group(0).rstrip(".,;:!?")
        if allowed(url, hosts) or ("?" not in url and "=" not in url):
            return m.group(0)  # a plain link shows its destination; only query strings can carry data
        note("EXTERNAL_LINK")
        return "[link removed]" + m.group(0)[len(url) :]

    text = _IMAGE.sub(image, text)
    text = _LINK.sub(link, text)
    text = _SLACK_LINK.sub(slack_link, text)
    text = _REFERENCE.sub(lambda m: m.group(0) if allowed(m.group(1), hosts) else "", text)
    text = _BARE_URL.sub(bare, text)
    if _DANGEROUS_BLOCK.search(text) or _TAG.search(text):
        note("HTML")
        text = _DANGEROUS_BLOCK.sub("", text)
        text = _TAG.sub("", text)
    if _SCHEME.search(text):
        note("HTML")
        text = _SCHEME.sub(lambda m: m.group(1) + "\u200b:", text)  # no longer a clickable scheme
    return text, findings
