"""The renderer keeps to Discord's limits and never lets user text ping."""

from __future__ import annotations

from agents.reply import Choice, Citation, Reply
from bots.discord.places import Place
from bots.discord.render import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    MESSAGE_LIMIT,
    embed_size,
    render,
)
from bots.discord.views import ChoiceButton, FeedbackButton


def test_long_text_is_split_and_the_components_go_last() -> None:
    paragraph = "Amazon Polly turns text into lifelike speech. " * 30
    reply = Reply(text="\n\n".join([paragraph] * 6), route="tutor")
    pieces = render(reply)
    assert len(pieces) > 2 and all(len(p.content or "") <= MESSAGE_LIMIT for p in pieces)
    assert "".join(
        (p.content or "").replace(" ", "").replace("\n", "") for p in pieces
    ) == reply.text.replace(" ", "").replace("\n", "")  # nothing lost
    assert [p.view is not None for p in pieces] == [False] * (len(pieces) - 1) + [True]


def test_many_citations_fill_embeds_within_every_limit() -> None:
    citations = [
        Citation(
            n=n, section=f"section-{n}-" + "x" * 60, title="A long section title " * 4, source="notes.md"
        )
        for n in range(1, 400)
    ]
    pieces = render(Reply(text="See the sources.", route="tutor", citations=citations))
    embeds = [e for p in pieces for e in p.embeds]
    assert sum((e.description or "").count("\n") + 1 for e in embeds) == len(citations)
    for piece in pieces:
        assert len(piece.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(embed_size(e) for e in piece.embeds) <= EMBED_TOTAL_LIMIT
        assert all(len(e.description or "") <= EMBED_DESCRIPTION_LIMIT for e in piece.embeds)
    assert embeds[0].title == "Sources" and len(pieces) > 1


def test_user_text_mentions_are_defused_everywhere() -> None:
    reply = Reply(
        text="hi @everyone and <@123>",
        route="tutor",
        notice="@here",
        citations=[Citation(n=1, section="s", title="<@&9> roles", source="x")],
    )
    [piece] = render(reply)
    shown = (piece.content or "") + (piece.embeds[0].description or "")
    assert (
        "@everyone" not in shown and "<@123>" not in shown and "@here" not in shown and "<@&9>" not in shown
    )
    assert piece.kwargs()["allowed_mentions"].to_dict() == {"parse": []}


def test_buttons_carry_their_values_and_a_place_when_sent_elsewhere() -> None:
    reply = Reply(
        text="Shall I send it?",
        route="banking",
        private=True,
        pending="approval",
        choices=[Choice(label="Approve", value="approve"), Choice(label="Cancel", value="cancel")],
    )
    [piece] = render(reply)
    assert [item.custom_id for item in piece.view.children] == ["aif:v:approve", "aif:v:cancel"]
    place = Place(channel="111", thread="222")
    [elsewhere] = render(reply, place=place)
    assert [item.custom_id for item in elsewhere.view.children] == [
        "aif:c:111:222:approve",
        "aif:c:111:222:cancel",
    ]
    assert not any(isinstance(item, FeedbackButton) for item in piece.view.children)  # only on tutor answers


def test_a_choice_too_long_for_a_custom_id_is_left_out() -> None:
    reply = Reply(
        text="pick",
        route="help",
        choices=[Choice(label="long", value="v" * 100), Choice(label="ok", value="ok")],
    )
    [piece] = render(reply, feedback=False)
    assert [item.custom_id for item in piece.view.children] == ["aif:v:ok"]
    assert isinstance(piece.view.children[0], ChoiceButton)
