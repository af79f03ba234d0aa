"""Buttons and selects rendered from a `Reply`, persistent across restarts.

Every component is a `discord.ui.DynamicItem`: its `custom_id` (≤ 100 characters) holds all it needs,
and `bot.add_dynamic_items(*DYNAMIC_ITEMS)` in `setup_hook` lets a new process resolve the
components of messages an old one sent. Which conversation a click belongs to follows from where the
click happens (see `places`), so ids carry only meaning:

- `aif:v:<value>` — a choice: its value is sent as the next message (quiz letter
  `quiz:answer:d1-001:B`, `approve`, `cancel`), or to the daily-question handler for `daily:…`.
- `aif:c:<channel>:<thread>:<value>` — the same, for a private reply delivered by DM while its
  conversation lives in a server thread (a banking step asked for by mention).
- `aif:pick:<head>` — multiple response: one select, min = max = the number to pick; `head` is what
  the form's answers start with (`quiz:answer:d1-001`, or `daily:answer:<post>` for a daily post).
- `aif:seq:<o|m>:<total>:<done>:<head>` — ordering (`o`) and matching (`m`): one select asked
  again and again ("what comes next?" / "item B goes with…"). The picks so far live in the
  custom_id itself (`done`, e.g. `C.A`), so there is no partial state in memory to lose on a restart
  and no need to read other components on submit (Discord does not send them); each pick edits the
  message, and the last pick sends the answer. Works for any number of items, where one select per
  position would run out of Discord's five rows at five items.
- `aif:fb:<+|->` — 👍/👎 on a tutor answer, stored with `Gateway.feedback`.
- `aif:share:<command>` — "Share to channel" under a private result (`/stats`): posted for all.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol

import discord
from discord.ui import Button, DynamicItem, Select, View

from agents.reply import AnswerForm, Reply
from bots.daily import DAILY_PREFIX
from bots.discord.places import Place

log = logging.getLogger(__name__)

CUSTOM_ID_LIMIT = 100
ROWS, BUTTONS_PER_ROW, OPTIONS_LIMIT = 5, 5, 25
START_OVER = "restart"
_STYLES = {"approve": discord.ButtonStyle.success, "cancel": discord.ButtonStyle.danger}


class Handler(Protocol):
    """What the components call back into (`flows.Flows`, reached as `interaction.client.flows`)."""

    async def click(
        self,
        interaction: discord.Interaction,
        text: str,
        *,
        place: Place | None = None,
        responded: bool = False,
    ) -> None: ...

    async def rate(self, interaction: discord.Interaction, rating: int) -> None: ...

    async def refuse_foreign(self, interaction: discord.Interaction) -> bool: ...

    async def share(self, interaction: discord.Interaction, command: str) -> None: ...


def handler(interaction: discord.Interaction) -> Handler:
    return interaction.client.flows  # type: ignore[attr-defined]


def _option(label: str, value: str, description: str | None = None) -> discord.SelectOption:
    return discord.SelectOption(label=label[:100], value=value, description=description)


# -- choices ---------------------------------------------------------------------------------------
class ChoiceButton(
    DynamicItem[Button],
    template=r"aif:(?:v|c:(?P<channel>\d+):(?P<thread>dm|user-\d+|\d+)):(?P<value>.+)",
):
    """A button whose value is the next message of the conversation."""

    def __init__(self, value: str, label: str, *, place: Place | None = None, style: Any = None) -> None:
        where = f"c:{place.channel}:{place.thread}" if place else "v"
        if style is None:
            style = _STYLES.get(value, discord.ButtonStyle.primary)
        super().__init__(Button(label=label[:80] or "…", style=style, custom_id=f"aif:{where}:{value}"))
        self.value, self.place = value, place

    @classmethod
    def rebuild(cls, item: Any, match: re.Match[str]) -> ChoiceButton:
        place = Place(channel=match["channel"], thread=match["thread"]) if match["channel"] else None
        return cls(match["value"], item.label or "", place=place, style=item.style)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str], /
    ) -> ChoiceButton:
        return cls.rebuild(item, match)

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler(interaction).click(interaction, self.value, place=self.place)


class FeedbackButton(DynamicItem[Button], template=r"aif:fb:(?P<rating>[+-])"):
    def __init__(self, rating: int) -> None:
        emoji = "\N{THUMBS UP SIGN}" if rating > 0 else "\N{THUMBS DOWN SIGN}"
        sign = "+" if rating > 0 else "-"
        super().__init__(Button(emoji=emoji, style=discord.ButtonStyle.secondary, custom_id=f"aif:fb:{sign}"))
        self.rating = rating

    @classmethod
    def rebuild(cls, item: Any, match: re.Match[str]) -> FeedbackButton:
        return cls(1 if match["rating"] == "+" else -1)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str], /
    ) -> FeedbackButton:
        return cls.rebuild(item, match)

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler(interaction).rate(interaction, self.rating)


# -- answer forms ----------------------------------------------------------------------------------
def answer_head(form: AnswerForm) -> str:
    """What every answer to this form starts with, e.g. `quiz:answer:d1-001` (or a daily post's
    `daily:answer:42`): `form.value` of no answer, without its closing colon."""
    return form.value([]).removesuffix(":")


def answer_value(head: str, kind: str, answer: list[str] | dict[str, str]) -> str:
    """The message that answers the form, written by `AnswerForm.value` (the shared contract)."""
    probe = AnswerForm(question="_", type=kind, options={})  # type: ignore[arg-type]
    return f"{head}:{probe.value(answer).removeprefix(probe.value([]))}"


class PickSelect(DynamicItem[Select], template=r"aif:pick:(?P<head>.+)"):
    """Multiple response: choose exactly `pick` options; choosing sends the answer."""

    def __init__(self, head: str, pick: int, options: list[discord.SelectOption]) -> None:
        super().__init__(
            Select(
                custom_id=f"aif:pick:{head}",
                placeholder=f"Choose {pick}",
                min_values=pick,
                max_values=pick,
                options=options[:OPTIONS_LIMIT],
            )
        )
        self.head = head

    @classmethod
    def create(cls, form: AnswerForm) -> PickSelect:
        options = [_option(f"{k}) {v}", k) for k, v in sorted(form.options.items())]
        return cls(answer_head(form), max(1, min(form.pick, len(options))), options)

    @classmethod
    def rebuild(cls, item: Any, match: re.Match[str]) -> PickSelect:
        return cls(match["head"], item.min_values, list(item.options))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str], /
    ) -> PickSelect:
        return cls.rebuild(item, match)

    async def callback(self, interaction: discord.Interaction) -> None:
        value = answer_value(self.head, "multiple", sorted(self.item.values))
        await handler(interaction).click(interaction, value)


class SequenceSelect(
    DynamicItem[Select],
    template=r"aif:seq:(?P<kind>[om]):(?P<total>\d+):(?P<done>[^:]*):(?P<head>.+)",
):
    """Ordering (`o`: options are the steps) and matching (`m`: options are the targets, one pick
    per item A, B, …): one pick at a time, the picks so far kept in the custom_id."""

    def __init__(
        self,
        kind: str,
        head: str,
        total: int,
        done: list[str],
        options: list[discord.SelectOption],
        placeholder: str | None = None,
    ) -> None:
        step = {value: f"step {n}" for n, value in enumerate(done, 1)} if kind == "o" else {}
        shown = [_option(o.label, o.value, step.get(o.value)) for o in options if o.value != START_OVER][
            : OPTIONS_LIMIT - 1
        ]
        if done:
            shown.append(_option("↺ Start over", START_OVER))
        super().__init__(
            Select(
                custom_id=f"aif:seq:{kind}:{total}:{'.'.join(done)}:{head}",
                placeholder=(placeholder or self._prompt(kind, total, done))[:150],
                options=shown,
            )
        )
        self.kind, self.head, self.total, self.done = kind, head, total, done

    @staticmethod
    def _prompt(kind: str, total: int, done: list[str]) -> str:
        if kind == "o":
            so_far = f" (so far: {' → '.join(done)})" if done else ""
            return f"Step {len(done) + 1} of {total}: what comes next?{so_far}"
        so_far = f" (so far: {', '.join(f'{_item(i)}-{t}' for i, t in enumerate(done))})" if done else ""
        return f"Item {_item(len(done))}: which one does it match?{so_far}"

    @classmethod
    def create(cls, form: AnswerForm) -> SequenceSelect:
        if form.type == "ordering":
            options = [_option(f"{k}) {v}", k) for k, v in sorted(form.options.items())]
            return cls("o", answer_head(form), len(options), [], options)
        targets = [_option(f"{k}. {v}", k) for k, v in sorted(form.targets.items())]
        return cls("m", answer_head(form), len(form.options), [], targets)

    @classmethod
    def rebuild(cls, item: Any, match: re.Match[str]) -> SequenceSelect:
        done = [d for d in match["done"].split(".") if d]
        return cls(match["kind"], match["head"], int(match["total"]), done, list(item.options))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str], /
    ) -> SequenceSelect:
        return cls.rebuild(item, match)

    def answer(self, done: list[str]) -> list[str] | dict[str, str] | None:
        """The whole answer once the last pick is in; the last step of an ordering fills itself."""
        if self.kind == "o":
            left = [o.value for o in self.item.options if o.value not in done and o.value != START_OVER]
            return done + left if len(left) <= 1 else None
        if len(done) < self.total:
            return None
        return {_item(i): target for i, target in enumerate(done)}

    def _next(self, done: list[str], placeholder: str | None = None) -> SequenceSelect:
        options = list(self.item.options)
        return SequenceSelect(self.kind, self.head, self.total, done, options, placeholder)

    async def callback(self, interaction: discord.Interaction) -> None:
        flows = handler(interaction)
        if await flows.refuse_foreign(interaction):
            return
        pick = self.item.values[0]
        if pick in self.done and self.kind == "o":
            await interaction.response.send_message(
                f"{pick} is already step {self.done.index(pick) + 1}; pick another one, or start over.",
                ephemeral=True,
            )
            return
        done = [] if pick == START_OVER else [*self.done, pick]
        answer = self.answer(done)
        if answer is None:
            await interaction.response.edit_message(view=replace(self.view, self, self._next(done)))
            return
        kind = "ordering" if self.kind == "o" else "matching"
        if isinstance(answer, list):
            shown = " → ".join(answer)
        else:
            shown = " ".join(f"{k}-{v}" for k, v in answer.items())
        # the select starts afresh, so a failed turn can be answered again
        fresh = self._next([], f"Sent: {shown}")
        await interaction.response.edit_message(view=replace(self.view, self, fresh))
        await flows.click(interaction, answer_value(self.head, kind, answer), responded=True)


def _item(n: int) -> str:
    """Matching items are lettered A, B, C, … in order."""
    return chr(ord("A") + n)


class ShareButton(DynamicItem[Button], template=r"aif:share:(?P<command>[a-z]+)"):
    """ "Share to channel" under a person's private result: the result is posted for everyone."""

    def __init__(self, command: str) -> None:
        button = Button(
            label="Share to channel", style=discord.ButtonStyle.secondary, custom_id=f"aif:share:{command}"
        )
        super().__init__(button)
        self.command = command

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str], /
    ) -> ShareButton:
        return cls(match["command"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler(interaction).share(interaction, self.command)


def share_view(command: str) -> View:
    view = View(timeout=None)
    view.add_item(ShareButton(command))
    return view


DYNAMIC_ITEMS: tuple[type[DynamicItem[Any]], ...] = (
    ChoiceButton,
    FeedbackButton,
    PickSelect,
    SequenceSelect,
    ShareButton,
)


def as_dynamic(item: Any) -> Any:
    """A component read back from a message, as the dynamic item its custom_id names."""
    if isinstance(item, DynamicItem):
        return item
    for cls in DYNAMIC_ITEMS:
        match = cls.__discord_ui_compiled_template__.fullmatch(getattr(item, "custom_id", None) or "")
        if match:
            return cls.rebuild(item, match)  # type: ignore[attr-defined]
    return item


def replace(view: View | None, old: Any, new: DynamicItem[Any]) -> View:
    """The message's view with `old` swapped for `new`, every item dynamic again — a view of only
    dynamic items is not stored per message, so later clicks keep going through `DYNAMIC_ITEMS`."""
    fresh = View(timeout=None)
    for item in view.children if view is not None else [old]:
        current = new if item is old else as_dynamic(item)
        current.row = item.row
        fresh.add_item(current)
    return fresh


# -- a reply's components --------------------------------------------------------------------------
def _fits(item: DynamicItem[Any]) -> bool:
    if len(item.custom_id) <= CUSTOM_ID_LIMIT:
        return True
    log.warning("component left out: custom_id of %d characters", len(item.custom_id))
    return False


def _answer_items(reply: Reply, place: Place | None) -> tuple[list[DynamicItem[Any]], str | None]:
    """The components that answer the open question, and the value prefix of the choices they
    replace (the letter buttons of a multiple-response question answer nothing on their own)."""
    form = reply.form
    if form is None:
        return [], None
    head = answer_head(form)
    if any(c.value.startswith(DAILY_PREFIX) for c in reply.choices) and not head.startswith(DAILY_PREFIX):
        return [], None  # a form that would answer the graph instead of the daily handler: buttons only
    if form.type == "multiple":
        return [PickSelect.create(form)], f"{head}:"
    if form.type in ("ordering", "matching"):
        return [SequenceSelect.create(form)], f"{head}:"
    if not any(c.value.startswith(f"{head}:") for c in reply.choices):  # single choice without buttons
        return [ChoiceButton(form.value([k]), k, place=place) for k in sorted(form.options)], None
    return [], None


def build_view(reply: Reply, *, place: Place | None = None, feedback: bool = True) -> View | None:
    """The components of a reply: answer select, choice buttons, then 👍/👎 on tutor answers."""
    answer, replaced = _answer_items(reply, place)
    rows: list[list[DynamicItem[Any]]] = [
        [item] for item in answer if isinstance(item, PickSelect | SequenceSelect)
    ]
    buttons = [item for item in answer if isinstance(item, ChoiceButton)] + [
        ChoiceButton(c.value, c.label, place=place)
        for c in reply.choices
        if not (replaced and c.value.startswith(replaced))
    ]
    buttons = [b for b in buttons if _fits(b)]
    rows += [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    if feedback and reply.route == "tutor" and not reply.pending and reply.guardrail.action != "block":
        rows.append([FeedbackButton(1), FeedbackButton(-1)])
    if len(rows) > ROWS:
        log.warning("%d component rows left out of a reply", len(rows) - ROWS)
    view = View(timeout=None)
    for n, row in enumerate(rows[:ROWS]):
        for item in row:
            if _fits(item):
                item.row = n
                view.add_item(item)
    return view if view.children else None
