"""Mentions, DMs and (with the Message Content intent) follow-ups in the bot's threads."""

from __future__ import annotations

import discord
from discord.ext import commands

from bots.discord.flows import Flows


class Conversations(commands.Cog):
    def __init__(self, bot: commands.Bot, flows: Flows) -> None:
        self.bot = bot
        self.flows = flows

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if self.bot.user is not None:
            await self.flows.message(message, self.bot.user)
