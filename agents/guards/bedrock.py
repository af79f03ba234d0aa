"""The Amazon Bedrock guardrail backend: one `ApplyGuardrail` call per check.

The guardrail itself is deployed from the same policy file (`aifbot guard export`); this module only
sends text to it and turns Bedrock's assessments into a `GuardVerdict`. Raw PII and regex matches
never leave this module: Bedrock's masked text is the only copy of a message we keep."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from agents.guards.base import Guardrail, GuardrailUnavailable, Stage
from agents.guards.mention import split_quoted
from agents.guards.policy import GuardrailPolicy
from agents.reply import Finding, GuardVerdict

log = logging.getLogger(__name__)

Effect = Literal["block", "anonymize", "detect"]
_EFFECTS: dict[str, Effect] = {"BLOCKED": "block", "ANONYMIZED": "anonymize"}


class ApplyGuardrailClient(Protocol):
    """The one method we need of a boto3 `bedrock-runtime` client."""

    def apply_guardrail(self, **kwargs: Any) -> dict[str, Any]: ...


def guard_content(text: str, stage: Stage, sources: Sequence[str], query: str | None) -> list[dict]:
    """The `content` of an ApplyGuardrail request.

    An output with grounding sources or a query is sent as qualified blocks so the contextual
    grounding filters can run; anything else is one plain text block."""
    if stage == "output" and (sources or query):
        blocks = [{"text": {"text": s, "qualifiers": ["grounding_source"]}} for s in sources]
        if query:
            blocks.append({"text": {"text": query, "qualifiers": ["query"]}})
        blocks.append({"text": {"text": text, "qualifiers": ["guard_content"]}})
        return blocks
    quoted = split_quoted(text) if stage == "input" else None
    if quoted is not None:
        # mention, not use: the question is evaluated; the quotation rides along untagged, as data
        return [
            {"text": {"text": quoted.question, "qualifiers": ["guard_content"]}},
            *({"text": {"text": q}} for q in quoted.quotes),
        ]
    return [{"text": {"text": text}}]


def _effect(item: Mapping[str, Any]) -> Effect | None:
    """What one assessed item did: blocked, anonymized, only detected, or nothing."""
    effect = _EFFECTS.get(item.get("action", "NONE"))
    if effect:
        return effect
    return "detect" if item.get("detected") else None


def assessed_findings(assessment: Mapping[str, Any]) -> Iterator[tuple[Effect, Finding]]:
    """Every item of one assessment that acted or was detected, as a finding."""
    for topic in assessment.get("topicPolicy", {}).get("topics", []):
        if effect := _effect(topic):
            yield effect, Finding(policy="topic", type=topic["name"])
    for item in assessment.get("contentPolicy", {}).get("filters", []):
        if effect := _effect(item):
            yield effect, Finding(policy="content", type=item["type"])
    words = assessment.get("wordPolicy", {})
    for word in words.get("customWords", []):
        if effect := _effect(word):
            yield effect, Finding(policy="word", type="CUSTOM_WORD", match=word.get("match"))
    for word in words.get("managedWordLists", []):
        if effect := _effect(word):
            yield effect, Finding(policy="word", type=word.get("type", "PROFANITY"), match=word.get("match"))
    sensitive = assessment.get("sensitiveInformationPolicy", {})
    for entity in sensitive.get("piiEntities", []):
        if effect := _effect(entity):  # the match is the personal data itself: never kept
            yield effect, Finding(policy="pii", type=entity["type"])
    for regex in sensitive.get("regexes", []):
        if effect := _effect(regex):
            yield effect, Finding(policy="regex", type=regex.get("name") or "REGEX")
    for item in assessment.get("contextualGroundingPolicy", {}).get("filters", []):
        if effect := _effect(item):
            yield effect, Finding(policy="grounding", type=item["type"])


class BedrockGuardrail:
    """A `Guardrail` backed by a deployed Amazon Bedrock guardrail (ApplyGuardrail)."""

    def __init__(
        self,
        policy: GuardrailPolicy,
        client: ApplyGuardrailClient,
        guardrail_id: str,
        version: str,
        fallback: Guardrail | None = None,
    ) -> None:
        self.policy = policy
        self.client = client
        self.guardrail_id = guardrail_id
        self.version = version
        self.fallback = fallback

    async def check(
        self, text: str, stage: Stage, *, sources: Sequence[str] = (), query: str | None = None
    ) -> GuardVerdict:
        """Assess `text` with Bedrock; on a service or network failure use the fallback, if any."""
        try:
            response = await asyncio.to_thread(
                self.client.apply_guardrail,
                guardrailIdentifier=self.guardrail_id,
                guardrailVersion=self.version,
                source="INPUT" if stage == "input" else "OUTPUT",
                content=guard_content(text, stage, sources, query),
            )
        except (ClientError, BotoCoreError) as exc:
            reason = _reason(exc)
            if self.fallback is None:
                log.warning("Bedrock guardrail %s unavailable (%s)", self.guardrail_id, reason)
                raise GuardrailUnavailable(
                    f"Amazon Bedrock guardrail {self.guardrail_id} (version {self.version}) "
                    f"could not check the {stage}: {reason}"
                ) from exc
            log.warning(
                "Bedrock guardrail %s unavailable (%s); using the %s guardrail",
                self.guardrail_id,
                reason,
                type(self.fallback).__name__,
            )
            return await self.fallback.check(text, stage, sources=sources, query=query)
        verdict = self.verdict(response, text, stage)
        quoted = split_quoted(text) if stage == "input" else None
        if quoted is None or verdict.action == "block":
            return verdict
        mention = Finding(policy="mention", type="QUOTED_TEXT")
        masked = quoted.restore(verdict.text) if verdict.action == "anonymize" else verdict.text
        return verdict.model_copy(update={"text": masked, "findings": [*verdict.findings, mention]})

    def verdict(self, response: Mapping[str, Any], text: str, stage: Stage) -> GuardVerdict:
        """Map an ApplyGuardrail response to a verdict."""
        if response.get("action") != "GUARDRAIL_INTERVENED":
            return GuardVerdict(action="allow", text=text)
        effects: set[Effect] = set()
        findings: list[Finding] = []
        for assessment in response.get("assessments", []):
            for effect, finding in assessed_findings(assessment):
                effects.add(effect)
                if finding not in findings:
                    findings.append(finding)
        blocked = GuardVerdict(action="block", text=self._blocked_message(stage), findings=findings)
        if "block" in effects:
            return blocked
        if "anonymize" in effects:
            outputs = response.get("outputs") or []
            masked = outputs[0].get("text") if outputs else None
            if masked is None:  # nothing masked to show: keep the personal data out rather than pass it
                return blocked
            return GuardVerdict(action="anonymize", text=masked, findings=findings)
        if not findings:
            # Bedrock intervened for a reason we don't map (e.g. a newer policy type): fail safe.
            reason = Finding(policy="guardrail", type="INTERVENED")
            return GuardVerdict(action="block", text=self._blocked_message(stage), findings=[reason])
        return GuardVerdict(action="allow", text=text, findings=findings)

    def _blocked_message(self, stage: Stage) -> str:
        if stage == "input":
            return self.policy.blockedInputMessaging
        return self.policy.blockedOutputsMessaging


def _reason(exc: ClientError | BotoCoreError) -> str:
    """A loggable cause: the error code or exception class, never the request or credentials."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code") or "ClientError"
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{code}, HTTP {status}" if status else code
    return type(exc).__name__
