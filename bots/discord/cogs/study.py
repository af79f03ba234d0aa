"""The study slash commands: `/ask`, `/quiz`, `/review`, `/mock`, `/stats`, `/leaderboard`, `/bank`,
`/help`, described as in `bots.platform.commands.COMMANDS`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.flows import Flows
from bots.discord.topics import topic_choices
from bots.platform.commands import COMMANDS

Text = app_commands.Range[str, 1, 1500]


class Study(commands.Cog):
    def __init__(self, flows: Flows) -> None:
        self.flows = flows

    @app_commands.command(name="ask", description=COMMANDS["ask"].description)
    @app_commands.describe(question="Your question, e.g. what is retrieval-augmented generation?")
    async def ask(self, interaction: discord.Interaction, question: Text) -> None:
        await self.flows.command(interaction, COMMANDS["ask"], question)

    @app_commands.command(name="quiz", description=COMMANDS["quiz"].description)
    @app_commands.describe(topic="A domain (1-5), a task (3.2), a difficulty or a topic; empty for any")
    async def quiz(self, interaction: discord.Interaction, topic: Text | None = None) -> None:
        await self.flows.command(interaction, COMMANDS["quiz"], topic)

    @quiz.autocomplete("topic")
    async def quiz_topics(
        self, _interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Domains, task statements and topics matching what is typed so far."""
        return [app_commands.Choice(name=name, value=value) for name, value in topic_choices(current)]

    @app_commands.command(name="review", description=COMMANDS["review"].description)
    async def review(self, interaction: discord.Interaction) -> None:
        await self.flows.command(interaction, COMMANDS["review"], None)

    @app_commands.command(name="mock", description=COMMANDS["mock"].description)
    async def mock(self, interaction: discord.Interaction) -> None:
        await self.flows.command(interaction, COMMANDS["mock"], None)

    @app_commands.command(name="stats", description=COMMANDS["stats"].description)
    async def stats(self, interaction: discord.Interaction) -> None:
        await self.flows.command(interaction, COMMANDS["stats"], None)

    @app_commands.command(name="leaderboard", description=COMMANDS["leaderboard"].description)
    async def leaderboard(self, interaction: discord.Interaction) -> None:
        await self.flows.command(interaction, COMMANDS["leaderboard"], None)

    @app_commands.command(name="bank", description=COMMANDS["bank"].description)
    @app_commands.describe(request="What you need, e.g. the status of my account; only you see the answers")
    async def bank(self, interaction: discord.Interaction, request: Text | None = None) -> None:
        await self.flows.command(interaction, COMMANDS["bank"], request)

    @app_commands.command(name="help", description=COMMANDS["help"].description)
    async def help(self, interaction: discord.Interaction) -> None:
        await self.flows.command(interaction, COMMANDS["help"], None)
