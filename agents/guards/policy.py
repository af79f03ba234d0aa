"""The guardrail policy file: Bedrock's guardrail configuration plus the local detectors' extras.

Field names are Bedrock's (`CreateGuardrail`), so `bedrock_config()` is the request body and the
CloudFormation resource is the same document in PascalCase."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.documents import YAML_LOADER

POLICY_FILE = Path(__file__).with_name("policy.yaml")

Strength = Literal["NONE", "LOW", "MEDIUM", "HIGH"]
ContentType = Literal["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT", "PROMPT_ATTACK"]
PiiType = Literal[
    "CREDIT_DEBIT_CARD_NUMBER",
    "US_SOCIAL_SECURITY_NUMBER",
    "EMAIL",
    "PHONE",
    "INTERNATIONAL_BANK_ACCOUNT_NUMBER",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "NAME",
    "ADDRESS",
    "IP_ADDRESS",
    "PASSWORD",
]


class PolicyError(ValueError):
    """The policy file is wrong; the message names the line and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContentFilter(_Strict):
    type: ContentType
    inputStrength: Strength
    outputStrength: Strength


class ContentPolicy(_Strict):
    filtersConfig: list[ContentFilter]


class Topic(_Strict):
    name: str = Field(pattern=r"^[0-9a-zA-Z\-_ !?.]{1,100}$")
    type: Literal["DENY"] = "DENY"
    definition: str = Field(min_length=1, max_length=200)
    examples: list[str] = Field(default_factory=list, max_length=5)

    @field_validator("examples")
    @classmethod
    def _short_examples(cls, examples: list[str]) -> list[str]:
        if any(len(e) > 100 for e in examples):
            raise ValueError("Bedrock allows topic examples of at most 100 characters")
        return examples


class TopicPolicy(_Strict):
    topicsConfig: list[Topic]


class Word(_Strict):
    text: str = Field(min_length=1, max_length=100)


class ManagedWordList(_Strict):
    type: Literal["PROFANITY"]


class WordPolicy(_Strict):
    wordsConfig: list[Word] = Field(default_factory=list)
    managedWordListsConfig: list[ManagedWordList] = Field(default_factory=list)


class PiiEntity(_Strict):
    type: PiiType
    action: Literal["BLOCK", "ANONYMIZE"]


class CustomRegex(_Strict):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    pattern: str = Field(min_length=1, max_length=500)
    action: Literal["BLOCK", "ANONYMIZE"]

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return pattern


class SensitiveInformationPolicy(_Strict):
    piiEntitiesConfig: list[PiiEntity] = Field(default_factory=list)
    regexesConfig: list[CustomRegex] = Field(default_factory=list)


class GroundingFilter(_Strict):
    type: Literal["GROUNDING", "RELEVANCE"]
    threshold: float = Field(ge=0.0, le=0.99)


class GroundingPolicy(_Strict):
    filtersConfig: list[GroundingFilter]


class LocalDetectors(_Strict):
    """Only for the offline backend."""

    examples: str = "examples.yaml"
    prompt_attack_threshold: float = Field(0.6, gt=0, le=1)
    abuse_threshold: float = Field(
        0.6, gt=0, le=1, description="Classifier probability of a threat or harassment."
    )
    self_harm_threshold: float = Field(0.5, gt=0, le=1, description="Classifier probability of self-harm.")
    allowed_link_hosts: list[str] = Field(
        default_factory=list, description="Hosts (and their subdomains) a model-written reply may link to."
    )
    topic_threshold: float = Field(0.6, gt=0, le=1)
    neighbours: int = Field(7, ge=1, le=50)
    min_similarity: float = Field(0.45, ge=0, le=1)
    profanity: list[str] = Field(default_factory=list)
    insults: list[str] = Field(default_factory=list)
    hate: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    violence: list[str] = Field(default_factory=list)
    sexual: list[str] = Field(default_factory=list)


class GuardrailPolicy(_Strict):
    name: str = Field(pattern=r"^[0-9a-zA-Z\-_]{1,50}$")
    description: str = ""
    blockedInputMessaging: str = Field(min_length=1, max_length=500)
    blockedOutputsMessaging: str = Field(min_length=1, max_length=500)
    contentPolicyConfig: ContentPolicy | None = None
    topicPolicyConfig: TopicPolicy | None = None
    wordPolicyConfig: WordPolicy | None = None
    sensitiveInformationPolicyConfig: SensitiveInformationPolicy | None = None
    contextualGroundingPolicyConfig: GroundingPolicy | None = None
    local: LocalDetectors = Field(default_factory=LocalDetectors)

    def bedrock_config(self) -> dict[str, Any]:
        """The CreateGuardrail request body (without what only the local detectors use)."""
        return self.model_dump(exclude={"local"}, exclude_none=True)

    def content_strength(self, kind: ContentType, stage: Literal["input", "output"]) -> Strength:
        for f in self.contentPolicyConfig.filtersConfig if self.contentPolicyConfig else []:
            if f.type == kind:
                return f.inputStrength if stage == "input" else f.outputStrength
        return "NONE"

    def pii_action(self, kind: str) -> Literal["BLOCK", "ANONYMIZE"] | None:
        entities = self.sensitiveInformationPolicyConfig
        for entity in entities.piiEntitiesConfig if entities else []:
            if entity.type == kind:
                return entity.action
        return None


def _line_of(root: yaml.Node, loc: tuple[int | str, ...]) -> int | None:
    """The line (1-based) of the YAML node at a pydantic error location."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        if node is None:
            return None
    return node.start_mark.line + 1


def load_policy(path: Path = POLICY_FILE) -> GuardrailPolicy:
    """Read and validate a policy file; any error names the file, the line and the reason."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.load(text, Loader=YAML_LOADER)
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the guardrail policy ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise PolicyError(f"{path}{where}: {getattr(exc, 'problem', exc)}") from exc
    try:
        return GuardrailPolicy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        line = _line_of(root, tuple(first["loc"])) if root is not None else None
        field = ".".join(str(p) for p in first["loc"])
        where = f", line {line}" if line else ""
        raise PolicyError(f"{path}{where}: {field}: {first['msg']}") from exc
