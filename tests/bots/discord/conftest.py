"""Discord adapter fixtures: the adapter over the real graph (`gateway` from tests/conftest.py) on
dpytest's fake Discord, extended in `fake_discord`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord.ext.test as dpytest
import pytest

from tests.bots.discord.fake_discord import DiscordWorld, start_world


@pytest.fixture
async def world(gateway: Any) -> AsyncIterator[DiscordWorld]:
    started = await start_world(gateway)
    yield started
    await dpytest.empty_queue()
