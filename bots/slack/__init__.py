"""Slack adapter: slack-bolt listeners, the Block Kit renderer, the channel poster."""

from bots.slack.app import SlackAdapter

__all__ = ["SlackAdapter"]
