"""Block Kit renderer: a neutral `Reply` → Slack message payloads (a pure function, no I/O).

Every piece of user-visible text is escaped (`slack_escape`) and marked `verbatim`, so `<!channel>`,
`<!here>` or `<@U…>` that came from user text are shown, never sent as live mentions. Messages keep to
Slack's limits: 3,000 characters a section, 50 blocks a message (more becomes several messages).

Interactive blocks carry the conversation thread in their `block_id` (`aif|<thread>|<n>`), so a click
finds its conversation even on a top-level DM message, and after a restart.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from agents.reply import AnswerForm, Choice, Reply
from bots.platform.text import slack_escape, split_text

SECTION_LIMIT = 3000  # characters of a section's text
BLOCK_LIMIT = 50  # blocks in one message
# the text of all blocks of one message: beyond about 12,000 characters Slack refuses it with
# msg_blocks_too_long; a margin is kept for the buttons' and options' labels
MESSAGE_TEXT_LIMIT = 11_000
FALLBACK_LIMIT = 3000  # the notification text; Slack truncates long `text` anyway
LABEL_LIMIT = 75  # button and option text

# action_id prefixes the listeners dispatch on
CHOICE = "aif:choice"  # a button whose value is sent as the next message
PICK = "aif:pick"  # checkboxes / selects of a form: their state is read on submit
SUBMIT = "aif:submit"  # a form's submit button; value "<type>|<prefix>|<answer key>" (see read_form)
FEEDBACK = "aif:feedback"  # 👍 / 👎 on a tutor answer; value "+1" / "-1"

_STYLES = {"approve": "primary", "cancel": "danger"}
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.M)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)|>]+)\)")
_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.S)
_ITALIC = re.compile(r"(?<![*\w])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![*\w])")
_STRIKE = re.compile(r"~~(.+?)~~")
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.M)


class SlackMessage(BaseModel):
    """One chat.postMessage / chat.update / chat.postEphemeral payload."""

    text: str = Field(description="Notification and accessibility fallback; never empty.")
    blocks: list[dict[str, Any]] = Field(default_factory=list)


def block_id(thread: str, n: int) -> str:
    """`aif|<conversation thread>|<n>`; thread "-" when a message starts no conversation (daily posts)."""
    return f"aif|{thread}|{n}"


def thread_of(block: str | None) -> str | None:
    """The conversation thread a block id names (None for blocks we didn't render)."""
    parts = (block or "").split("|")
    ok = len(parts) == 3 and parts[0] == "aif" and parts[1] not in ("", "-")
    return parts[1] if ok else None


def mrkdwn(text: str) -> str:
    """Escaped Slack mrkdwn from the standard Markdown of a neutral Reply: `**b**` → `*b*`,
    `*i*` → `_i_`, `~~s~~` → `~s~`, headings → bold lines, `- item` → `• item`, `[t](u)` → `<u|t>`;
    code spans and fenced blocks are kept as they are (Slack shows them the same way)."""
    pieces = _CODE.split(slack_escape(text))
    # odd pieces are code (the split's captured group): left alone
    return "".join(piece if n % 2 else _prose(piece) for n, piece in enumerate(pieces))


def _prose(text: str) -> str:
    text = _ITALIC.sub(r"_\1_", text)
    text = _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)
    text = _STRIKE.sub(r"~\1~", text)
    text = _HEADING.sub(r"*\1*", text)
    text = _BULLET.sub(r"\1• ", text)
    return _LINK.sub(r"<\2|\1>", text)


def _label(text: str, limit: int = LABEL_LIMIT) -> str:
    text = " ".join(text.split()) or "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str) -> MarkdownTextObject:
    # verbatim: Slack doesn't turn anything in it into links or mentions on its own
    return MarkdownTextObject(text=text, verbatim=True)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=_mrkdwn(text))


def _context(text: str) -> list[ContextBlock]:
    return [ContextBlock(elements=[_mrkdwn(piece)]) for piece in split_text(text, SECTION_LIMIT)]


def _option(value: str, text: str) -> Option:
    return Option(value=value, text=PlainTextObject(text=_label(text)))


def choice_buttons(choices: list[Choice], thread: str, start: int) -> list[Block]:
    """Buttons whose value is the next message; approve/cancel get primary/danger."""
    blocks: list[Block] = []
    for n, offset in enumerate(range(0, len(choices), 25)):  # 25 elements per actions block
        buttons = [
            ButtonElement(
                text=PlainTextObject(text=_label(choice.label)),
                action_id=f"{CHOICE}:{i}",
                value=choice.value,
                style=_STYLES.get(choice.value),
            )
            for i, choice in enumerate(choices[offset : offset + 25])
        ]
        blocks.append(ActionsBlock(elements=buttons, block_id=block_id(thread, start + n)))
    return blocks


def form_blocks(form: AnswerForm, choices: list[Choice], thread: str, start: int) -> list[Block]:
    """The answer widget: buttons (single), checkboxes (multiple), a select per position (ordering)
    or per item (matching); the last three send their state with a Submit button."""
    if form.type == "single" or (form.type == "matching" and not form.targets):  # nothing to select
        buttons = choices or [Choice(label=k, value=form.value([k])) for k in sorted(form.options)]
        return choice_buttons(buttons, thread, start)
    letters = sorted(form.options)
    blocks: list[Block] = []
    if form.type == "multiple":
        options = [_option(k, f"{k}) {form.options[k]}") for k in letters]
        blocks.append(
            ActionsBlock(
                elements=[CheckboxesElement(action_id=f"{PICK}:multi", options=options)],
                block_id=block_id(thread, start),
            )
        )
    elif form.type == "ordering":
        options = [_option(k, f"{k}) {form.options[k]}") for k in letters]
        for position in range(1, len(letters) + 1):
            select = StaticSelectElement(
                action_id=f"{PICK}:order:{position}", placeholder="Choose a step", options=options
            )
            blocks.append(
                SectionBlock(
                    text=_mrkdwn(f"*Step {position}*"),
                    accessory=select,
                    block_id=block_id(thread, start + len(blocks)),
                )
            )
    else:  # matching: one select per item, the targets as options
        options = [_option(key, f"{key}. {text}") for key, text in sorted(form.targets.items())]
        for letter in letters:
            select = StaticSelectElement(
                action_id=f"{PICK}:match:{letter}", placeholder="Choose a match", options=options
            )
            blocks.append(
                SectionBlock(
                    text=_mrkdwn(f"*{letter})* {mrkdwn(form.options[letter])}"),
                    accessory=select,
                    block_id=block_id(thread, start + len(blocks)),
                )
            )
    submit = ButtonElement(
        text=PlainTextObject(text="Submit answer"),
        action_id=SUBMIT,
        value=f"{form.type}|{form.prefix}|{form.answer_key or form.question}",
        style="primary",
    )
    blocks.append(ActionsBlock(elements=[submit], block_id=block_id(thread, start + len(blocks))))
    return blocks


def feedback_buttons(thread: str, n: int) -> ActionsBlock:
    buttons = [
        ButtonElement(text=PlainTextObject(text=label), action_id=f"{FEEDBACK}:{name}", value=value)
        for name, label, value in (("up", "👍 Helpful", "+1"), ("down", "👎 Not helpful", "-1"))
    ]
    return ActionsBlock(elements=buttons, block_id=block_id(thread, n))


def _fallback(text: str) -> str:
    text = " ".join(text.split())
    return (text[: FALLBACK_LIMIT - 1] + "…" if len(text) > FALLBACK_LIMIT else text) or "aifbot"


def _size(blocks: list[Block]) -> int:
    """The characters of text a message's blocks carry (what Slack's total-size limit counts)."""

    def walk(node: Any) -> int:
        if isinstance(node, dict):
            own = len(node["text"]) if isinstance(node.get("text"), str) else 0
            return own + sum(walk(v) for v in node.values())
        if isinstance(node, list):
            return sum(walk(v) for v in node)
        return 0

    return sum(walk(block.to_dict()) for block in blocks)


def _grouped(blocks: list[Block]) -> list[list[Block]]:
    """Blocks in messages of at most 50 blocks and about 12,000 characters of text each."""
    groups: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        own = _size([block])
        if groups[-1] and (len(groups[-1]) >= BLOCK_LIMIT or size + own > MESSAGE_TEXT_LIMIT):
            groups.append([])
            size = 0
        groups[-1].append(block)
        size += own
    return groups


def render(reply: Reply, *, thread: str = "-", header: str | None = None) -> list[SlackMessage]:
    """The messages that show a reply: text sections, notice and citations as context blocks, then
    the interactive blocks (in the last message). `thread` is the conversation's thread; `header` a
    line of context shown first (who asked what, for slash commands), written as escaped mrkdwn."""
    pieces = split_text(mrkdwn(reply.text), SECTION_LIMIT)
    body: list[Block] = _context(header) if header else []
    body += [_section(piece) for piece in pieces if piece]
    if reply.notice:
        body += _context(mrkdwn(reply.notice))
    if reply.citations:
        lines = [f"[{c.n}] {mrkdwn(c.title)} ({mrkdwn(c.source or c.section)})" for c in reply.citations]
        body += _context("Sources: " + "\n".join(lines))

    tail: list[Block] = []
    if reply.form is not None:
        tail += form_blocks(reply.form, reply.choices, thread, start=1)
    elif reply.choices:
        tail += choice_buttons(reply.choices, thread, start=1)
    if reply.route == "tutor" and reply.citations:
        tail.append(feedback_buttons(thread, len(tail) + 1))

    groups = _grouped(body)
    if len(groups[-1]) + len(tail) <= BLOCK_LIMIT and _size(groups[-1] + tail) <= MESSAGE_TEXT_LIMIT:
        groups[-1] = groups[-1] + tail
    else:
        groups.append(tail)
    messages = []
    for group in groups:
        text = "\n".join(b.text.text for b in group if isinstance(b, SectionBlock) and b.accessory is None)
        messages.append(
            SlackMessage(text=_fallback(text or pieces[0]), blocks=[block.to_dict() for block in group])
        )
    return messages


_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def person(user: str) -> str:
    """A person named the way Slack shows names: `<@U…>` (the `user_name` field is deprecated)."""
    return f"<@{user}>" if _USER_ID.match(user) else "someone"


def asked(user: str, line: str) -> str:
    """Context line of a slash command's answer: who asked what (slash commands are invisible to
    the channel otherwise). `user` is the asker's user id."""
    return f"{person(user)} asked: /aif {mrkdwn(line)}"


def thinking(user: str, line: str) -> SlackMessage:
    """The visible placeholder a slash command's answer replaces."""
    header = asked(user, line)
    return SlackMessage(
        text="Thinking…",
        blocks=[b.to_dict() for b in [*_context(header), _section("⏳ _Thinking…_")]],
    )


def notice(text: str) -> SlackMessage:
    """A short message of the adapter's own (notes, errors), escaped like every other."""
    body = mrkdwn(text)
    blocks = [_section(piece).to_dict() for piece in split_text(body, SECTION_LIMIT)]
    return SlackMessage(text=_fallback(body), blocks=blocks)


_CHANNEL_LINK = re.compile(r"&lt;#([A-Z0-9]+)&gt;")


def admin_notice(text: str) -> SlackMessage:
    """An admin command's result: escaped, except the channel links it names on purpose."""
    message = notice(text)
    for block in message.blocks:
        block["text"]["text"] = _CHANNEL_LINK.sub(r"<#\1>", block["text"]["text"])
    return message.model_copy(update={"text": _CHANNEL_LINK.sub(r"<#\1>", message.text)})


def read_form(value: str, state: dict[str, dict[str, Any]]) -> str:
    """The answer a form's Submit sends: built from the state of the checkboxes / selects that
    `form_blocks` rendered (action_id → element state) with `AnswerForm.value`, under the form's
    prefix (a quiz's `quiz:answer:` or a daily post's `daily:answer:`)."""
    kind, prefix, key = [*value.split("|", 2), "", ""][:3]
    form = AnswerForm(question=key, type=kind, options={}, prefix=prefix)  # type: ignore[arg-type]
    chosen = {
        action: item.get("selected_option", {}) or {}
        for action, item in state.items()
        if action.startswith(PICK) and "selected_option" in item
    }
    if form.type == "multiple":
        picked = state.get(f"{PICK}:multi", {}).get("selected_options") or []
        return form.value(sorted(option["value"] for option in picked))
    if form.type == "ordering":
        steps = sorted(
            (int(action.rsplit(":", 1)[1]), option["value"])
            for action, option in chosen.items()
            if action.startswith(f"{PICK}:order:") and option
        )
        return form.value([letter for _, letter in steps])
    pairs = {
        action.rsplit(":", 1)[1]: option["value"]
        for action, option in chosen.items()
        if action.startswith(f"{PICK}:match:") and option
    }
    return form.value(pairs)


SHARE = "aif:share"  # "Share to channel" on a private result; value: the /aif command line
SHAREABLE = {"stats"}  # private results a person may post for everyone


def share_button(line: str) -> dict[str, Any]:
    """The "Share to channel" button under an ephemeral result."""
    button = ButtonElement(text=PlainTextObject(text="Share to channel"), action_id=SHARE, value=line[:2000])
    return ActionsBlock(elements=[button], block_id=block_id("-", 99)).to_dict()
