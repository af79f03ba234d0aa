"""Shared platform state in one SQL database (SQLite by default, PostgreSQL when configured):
processed events, channel settings, answer feedback and daily question posts."""

from tools.state.engine import database_url, sync_engine
from tools.state.store import ChannelSettings, Feedback, StateStore, StateStoreError

__all__ = ["ChannelSettings", "Feedback", "StateStore", "StateStoreError", "database_url", "sync_engine"]
