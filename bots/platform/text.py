"""Platform-safe text: no live mentions from user text, and messages cut to a platform's limits."""

from __future__ import annotations

import re

_ZWSP = "\u200b"
_DISCORD_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?\d+|#\d+)>")


def slack_escape(text: str) -> str:
    """Slack's own escaping: `<!channel>`, `<!here>` and `<@U…>` arrive as text, never as mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def discord_defuse(text: str) -> str:
    """`@everyone`, `@here` and `<@id>` shown, not pinged (AllowedMentions.none() is the first guard)."""
    return _DISCORD_MENTION.sub(lambda m: m.group(0)[0] + _ZWSP + m.group(0)[1:], text)


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, line, sentence or word when possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        for separator in ("\n", ". ", " "):
            if cut >= limit // 2:
                break
            cut = window.rfind(separator) + (len(separator) - 1 if separator == ". " else 0)
        if cut < limit // 2:
            cut = limit  # one long word: cut it
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces or [""]
