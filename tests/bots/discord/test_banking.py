"""The banking demo on Discord: private from start to finish, approval by button."""

from __future__ import annotations

from agents.banking import prompts as say
from agents.context import AgentContext
from bots.discord.flows import DM_NOTE
from tests.bots.discord.fake_discord import DiscordWorld, custom_ids


async def test_bank_command_to_approval_by_button_stays_ephemeral(
    world: DiscordWorld, full_context: AgentContext
) -> None:
    store = full_context.bank.store
    asked = await world.slash("bank", request="why is my account 7777 not active?")
    assert asked.texts() == say.ASK_NAME
    assert "address" in (await world.slash("bank", request="Manju")).texts().lower()
    request = await world.slash("bank", request="please resubmit my address proof")
    approval = request.sent[-1]
    assert approval.flags.ephemeral and custom_ids(approval) == ["aif:v:approve", "aif:v:cancel"]
    assert store.resubmissions("7777") == []

    approved = await world.click(approval, "aif:v:approve")
    assert approved.names() == ["defer", "followup"]
    assert "RS-" in approved.texts() and approved.followups()[0]["ephemeral"] is True
    assert len(store.resubmissions("7777")) == 1
    assert all(s.ephemeral for s in world.sent)  # nothing of the flow was shown to the channel


async def test_banking_asked_by_mention_goes_by_dm_with_buttons_that_find_the_thread(
    world: DiscordWorld, full_context: AgentContext
) -> None:
    me, store = world.bot.user, full_context.bank.store
    asked = await world.say(f"<@{me.id}> why is my account 7777 not active?")
    thread = world.guild.get_thread(asked.id)
    dm = await world.alice.create_dm()
    assert [s.message.content for s in world.messages(thread.id)] == [DM_NOTE]
    assert world.messages(dm.id)[-1].message.content == say.ASK_NAME
    await world.say(f"<@{me.id}> Manju", channel=thread)
    await world.say(f"<@{me.id}> please resubmit my address proof", channel=thread)
    approval = world.messages(dm.id)[-1].message
    place = f"aif:c:{world.channel.id}:{thread.id}"
    assert custom_ids(approval) == [f"{place}:approve", f"{place}:cancel"]
    assert all(s.message.content == DM_NOTE for s in world.messages(thread.id))  # no account data in public

    approved = await world.click(approval, f"{place}:approve")  # clicked in the DM
    assert "RS-" in approved.texts() and len(store.resubmissions("7777")) == 1
