"""Discord renderer: a neutral `Reply` → message pieces within Discord's limits (no I/O).

Text is defused (`@everyone`, `@here`, `<@id>` shown, not pinged) and cut at 2,000 characters;
citations become "Sources" embeds (description ≤ 4,096, ≤ 10 embeds and ≤ 6,000 characters a
message); a chart is attached as a PNG file; the buttons and selects go on the last piece, so they sit
under the whole answer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import discord

from agents.reply import Reply
from bots.discord.places import Place
from bots.discord.views import build_view
from bots.platform.text import discord_defuse, split_text

MESSAGE_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL_LIMIT = 6000
SOURCES_TITLE = "Sources"
CHART_NAME = "chart.png"
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass
class Piece:
    """One Discord message: what `send`/`followup.send` take."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    image_png: bytes | None = None
    view: discord.ui.View | None = None

    def kwargs(self) -> dict:
        """Keyword arguments for `Messageable.send` and `Webhook.send`; a new file object each call,
        because a sent `discord.File` is consumed."""
        out: dict = {"allowed_mentions": NO_MENTIONS}
        if self.content:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = self.embeds
        if self.image_png is not None:
            out["files"] = [discord.File(io.BytesIO(self.image_png), filename=CHART_NAME)]
        if self.view is not None:
            out["view"] = self.view
        return out


def embed_size(embed: discord.Embed) -> int:
    return len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")


def source_lines(reply: Reply) -> list[str]:
    return [
        discord_defuse(f"**[{c.n}]** {c.title} · `{c.section}`")[:EMBED_DESCRIPTION_LIMIT]
        for c in reply.citations
    ]


def pack_embeds(lines: list[str], title: str) -> list[list[discord.Embed]]:
    """Lines into embeds of ≤ 4,096 characters, grouped ≤ 10 and ≤ 6,000 characters a message."""
    embeds: list[discord.Embed] = []
    description = ""
    for line in lines:
        if description and len(description) + 1 + len(line) > EMBED_DESCRIPTION_LIMIT:
            embeds.append(discord.Embed(description=description))
            description = ""
        description = f"{description}\n{line}" if description else line
    if description:
        embeds.append(discord.Embed(description=description))
    if embeds:
        embeds[0].title = title
    groups: list[list[discord.Embed]] = []
    for embed in embeds:
        group = groups[-1] if groups else None
        if (
            group is None
            or len(group) >= EMBEDS_PER_MESSAGE
            or sum(map(embed_size, group)) + embed_size(embed) > EMBED_TOTAL_LIMIT
        ):
            groups.append([embed])
        else:
            group.append(embed)
    return groups


def reply_text(reply: Reply) -> str:
    text = discord_defuse(reply.text)
    if reply.notice:  # Discord's small-print line
        text += f"\n-# {discord_defuse(reply.notice)}"
    return text


def render(reply: Reply, *, place: Place | None = None, feedback: bool = True) -> list[Piece]:
    """The messages that show `reply`. `place` goes into the buttons when the message is delivered
    away from its conversation (see `views.ChoiceButton`)."""
    pieces = [Piece(content=text) for text in split_text(reply_text(reply), MESSAGE_LIMIT) if text]
    for n, group in enumerate(pack_embeds(source_lines(reply), SOURCES_TITLE)):
        if n == 0 and pieces:
            pieces[-1].embeds = group
        else:
            pieces.append(Piece(embeds=group))
    if not pieces:
        pieces.append(Piece(content="…"))
    pieces[-1].image_png = reply.image_png
    pieces[-1].view = build_view(reply, place=place, feedback=feedback)
    return pieces
