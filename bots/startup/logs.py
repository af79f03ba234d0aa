"""JSON logs for `aifbot serve`: one object per line, with the conversation key of the turn being
handled, so a log search finds one conversation across replicas."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

conversation_key: ContextVar[str | None] = ContextVar("conversation_key", default=None)

TRACING_VARIABLES = (
    "LANGSMITH_",
    "LANGCHAIN_TRACING",
    "LANGCHAIN_API_KEY",
    "LANGCHAIN_PROJECT",
    "LANGCHAIN_ENDPOINT",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if key := conversation_key.get():
            entry["conversation"] = key
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_json_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("bm25s", "httpx", "aiohttp.access", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def export_tracing_settings(env_file: Path = Path(".env")) -> None:
    """LangSmith's standard variables work from the environment; a `.env` file (read by our
    settings) sets them too, without overriding the environment."""
    from dotenv import dotenv_values

    if not env_file.is_file():
        return
    for name, value in dotenv_values(env_file).items():
        if value and name.startswith(TRACING_VARIABLES) and name not in os.environ:
            os.environ[name] = value
