"""Configuration, read once in the composition root and handed down.

Every field comes from an ``AIFBOT_*`` environment variable or a ``.env`` file. Platform and backend
settings are grouped in sections: ``AIFBOT_SLACK_BOT_TOKEN`` fills ``settings.slack.bot_token``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MissingSettingError(RuntimeError):
    """A setting needed for the requested feature is not set; the message names the variable."""


def require(value: SecretStr | str | None, variable: str, purpose: str) -> str:
    """Return a setting's plain value, or fail with a one-line message naming the variable."""
    if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
        raise MissingSettingError(f"{variable} is not set; it is needed {purpose}.")
    return value.get_secret_value() if isinstance(value, SecretStr) else value


class BedrockSettings(BaseModel):
    model_id: str = Field(
        "amazon.nova-lite-v1:0", description="Bedrock model id or inference profile for chat."
    )


class GuardrailSettings(BaseModel):
    id: str | None = Field(None, description="Bedrock guardrail id; local guardrails when unset.")
    version: str = Field("DRAFT", description="Bedrock guardrail version.")


class ChromaSettings(BaseModel):
    url: str | None = Field(None, description="Chroma server URL; embedded Chroma when unset.")


class DynamoDBSettings(BaseModel):
    endpoint_url: str | None = Field(
        None, description="Endpoint for DynamoDB-compatible servers; AWS's endpoint when unset."
    )


class SlackSettings(BaseModel):
    bot_token: SecretStr | None = Field(None, description="Bot token (xoxb-...).")
    app_token: SecretStr | None = Field(None, description="App-level token for Socket Mode.")
    signing_secret: SecretStr | None = Field(None, description="Signing secret for HTTP mode.")
    api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL.")


class DiscordSettings(BaseModel):
    token: SecretStr | None = Field(None, description="Discord bot token.")
    application_id: str | None = Field(
        None, pattern=r"^\d+$", description="Application (client) id: invite link, slash commands."
    )
    message_content: bool = Field(
        False, description="Privileged Message Content intent: read follow-ups in bot threads unmentioned."
    )
    shard_count: int | None = Field(
        None,
        ge=0,
        validation_alias=AliasChoices("shards", "shard_count"),
        description="AIFBOT_DISCORD_SHARDS: unset = one connection, 0 = Discord's count, n = n shards.",
    )


class Settings(BaseSettings):
    """All of aifbot's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="AIFBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
    )

    data_dir: Path = Field(Path("./data"), description="Where indexes and databases live.")
    llm: str = Field(
        "none", description="'none' (offline agents), 'bedrock', or a LangChain 'provider:model'."
    )
    embeddings: Literal["minilm", "titan"] = Field("minilm", description="Embedding model.")
    aws_region: str = Field("us-east-1", validation_alias=AliasChoices("AIFBOT_AWS_REGION", "AWS_REGION"))
    database_url: str | None = Field(
        None, description="SQLAlchemy URL for state; a SQLite file under the data dir when unset."
    )
    bank_backend: Literal["sqlite", "dynamodb"] = Field("sqlite", description="Demo bank store.")
    config: Path | None = Field(None, description="YAML file for channels, schedules, policies.")

    bedrock: BedrockSettings = BedrockSettings()
    guardrail: GuardrailSettings = GuardrailSettings()
    chroma: ChromaSettings = ChromaSettings()
    dynamodb: DynamoDBSettings = DynamoDBSettings()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def state_db_path(self) -> Path:
        return self.data_dir / "aifbot.sqlite3"

    @property
    def checkpoint_db_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite3"

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"
