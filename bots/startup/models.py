"""Chat models from settings: none (offline agents), Amazon Bedrock, or any LangChain model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bots.startup.settings import MissingSettingError, Settings
from tools.metrics import ModelMetricsCallback

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def make_chat_model(settings: Settings, bedrock_client: Any = None) -> BaseChatModel | None:
    """The configured chat model, or None when the agents should work without one."""
    choice = settings.llm.strip()
    if choice.lower() in ("", "none", "off"):
        return None
    if choice.lower() == "bedrock":
        from botocore.config import Config
        from langchain_aws import ChatBedrockConverse

        options: dict[str, Any] = {
            "model": settings.bedrock.model_id,
            "region_name": settings.aws_region,
            "temperature": 0.2,
            "max_tokens": 800,
            # adaptive retries back off on throttling; short timeouts let us fall back offline
            "config": Config(
                retries={"mode": "adaptive", "max_attempts": 3}, connect_timeout=5, read_timeout=30
            ),
        }
        if settings.guardrail.id:
            options["guardrails"] = {
                "guardrailIdentifier": settings.guardrail.id,
                "guardrailVersion": settings.guardrail.version,
                "trace": "enabled",
            }
        if bedrock_client is not None:
            options["client"] = bedrock_client
        return ChatBedrockConverse(**options, callbacks=[ModelMetricsCallback(settings.bedrock.model_id)])
    provider, sep, model = choice.partition(":")
    if not sep or not provider or not model:
        raise MissingSettingError(
            f"AIFBOT_LLM={choice!r} is not understood; use none, bedrock or provider:model "
            "(for example openai:gpt-4o-mini)."
        )
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(model, model_provider=provider, callbacks=[ModelMetricsCallback(choice)])
    except (ImportError, ValueError) as exc:
        raise MissingSettingError(f"AIFBOT_LLM={choice!r} cannot be used: {exc}") from exc
