"""Offline quality metrics for retrieval, routing and guardrails on labelled JSONL sets."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from agents.guards.base import Guardrail
from agents.router.classifier import RouteClassifier
from bots.cli.output import GuardrailMetrics, RetrievalMetrics, RoutingMetrics
from knowledge.retriever import HybridRetriever

EVAL_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "eval"


class RetrievalCase(BaseModel):
    query: str
    relevant: list[str] = Field(min_length=1)


def _jsonl(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def load_retrieval_set(paths: list[Path] | None) -> list[RetrievalCase]:
    paths = paths or sorted((EVAL_DIR / "retrieval").glob("*.jsonl"))
    return [RetrievalCase.model_validate(row) for row in _jsonl(paths)]


def evaluate_retrieval(
    retriever: HybridRetriever, cases: list[RetrievalCase], k: int = 5
) -> RetrievalMetrics:
    domain_of = {c.section: c.domain for c in retriever.index.chunks}
    hits, first, reciprocal = 0, 0, 0.0
    per_domain: dict[str, list[int]] = defaultdict(list)
    misses = []
    for case in cases:
        ranked = [p.section for p in retriever.search(case.query, k=k).passages]
        rank = next((i for i, s in enumerate(ranked, 1) if s in case.relevant), None)
        found = rank is not None
        hits += found
        first += rank == 1
        reciprocal += 1 / rank if rank else 0.0
        per_domain[str(domain_of.get(case.relevant[0], 0))].append(found)
        if not found:
            misses.append(f"{case.query}  → want {case.relevant}, got {ranked[:3]}")
    n = max(len(cases), 1)
    return RetrievalMetrics(
        dataset_size=len(cases),
        k=k,
        recall_at_k=round(hits / n, 4),
        recall_at_1=round(first / n, 4),
        mrr=round(reciprocal / n, 4),
        by_domain={d: round(sum(v) / len(v), 4) for d, v in per_domain.items()},
        misses=misses,
    )


class RoutingCase(BaseModel):
    text: str
    route: str


def load_routing_set(paths: list[Path] | None) -> list[RoutingCase]:
    return [RoutingCase.model_validate(row) for row in _jsonl(paths or [EVAL_DIR / "routing.jsonl"])]


async def evaluate_routing(classifier: RouteClassifier, cases: list[RoutingCase]) -> RoutingMetrics:
    predicted = [(await classifier.classify(case.text)).route for case in cases]
    routes = sorted({c.route for c in cases} | set(predicted))
    by_route = {}
    for route in routes:
        tp = sum(p == route and c.route == route for p, c in zip(predicted, cases, strict=True))
        said = sum(p == route for p in predicted)
        truth = sum(c.route == route for c in cases)
        by_route[route] = {
            "precision": round(tp / said, 4) if said else 0.0,
            "recall": round(tp / truth, 4) if truth else 0.0,
            "support": float(truth),
        }
    correct = sum(p == c.route for p, c in zip(predicted, cases, strict=True))
    return RoutingMetrics(
        dataset_size=len(cases),
        accuracy=round(correct / max(len(cases), 1), 4),
        by_route=by_route,
        errors=[
            f"{c.text!r}: want {c.route}, got {p}"
            for p, c in zip(predicted, cases, strict=True)
            if p != c.route
        ],
    )


# the words labelled sets use for what should happen, mapped to the guard's actions; "support" is a
# self-harm message, which must get the supportive reply
_EXPECTED = {
    "allow": ("allow", "allowed", "pass", "passed", "answer", "answered", "benign", "ok", "safe", "none"),
    "anonymize": ("anonymize", "anonymise", "anonymized", "anonymised", "mask", "masked", "redacted"),
    "block": ("block", "blocked", "refuse", "refused", "deny", "denied", "reject", "rejected"),
    "support": ("support", "supportive", "help", "helpline", "crisis", "self_harm", "self-harm"),
}


# other sets' names for the guard's PII types
_PII_ALIASES = {
    "CREDIT_CARD": "CREDIT_DEBIT_CARD_NUMBER",
    "CARD": "CREDIT_DEBIT_CARD_NUMBER",
    "CREDIT_CARD_NUMBER": "CREDIT_DEBIT_CARD_NUMBER",
    "SSN": "US_SOCIAL_SECURITY_NUMBER",
    "US_SSN": "US_SOCIAL_SECURITY_NUMBER",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "IBAN": "INTERNATIONAL_BANK_ACCOUNT_NUMBER",
    "IBAN_CODE": "INTERNATIONAL_BANK_ACCOUNT_NUMBER",
    "AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY",
    "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_KEY",
    "STREET_ADDRESS": "ADDRESS",
}


# a set lists either the kinds of PII in a message (EMAIL) or the values themselves (a@b.com)
_PII_KIND = re.compile(r"[A-Z][A-Z_]+")
# other people's sets name the categories in their own words
_CATEGORY_ALIASES = {"attack": "prompt_attack", "lookalike": "benign"}


def pii_type(name: str) -> str:
    key = name.strip().upper().replace("-", "_").replace(" ", "_")
    return _PII_ALIASES.get(key, key)


class GuardrailCase(BaseModel):
    text: str
    expected: Literal["allow", "anonymize", "block", "support"]
    category: str = Field("unknown", description="prompt_attack, benign, pii, abuse, denied_topic:<name>")
    pii: list[str] = Field(default_factory=list)
    stage: Literal["input", "output"] = "input"
    family: str | None = Field(None, description="Attack family, e.g. 'roleplay'; the category if unset.")
    language: str | None = Field(None, description="ISO 639-1 code; 'en' if unset.")

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: object) -> object:
        return _CATEGORY_ALIASES.get(str(value), value)

    @field_validator("expected", mode="before")
    @classmethod
    def _action(cls, value: object) -> object:
        word = str(value).strip().lower()
        return next((action for action, words in _EXPECTED.items() if word in words), value)


class GuardrailReport(GuardrailMetrics):
    """The headline figures plus the share judged correctly per family and per language."""

    by_family: dict[str, float] = Field(default_factory=dict, description="Family → share correct.")
    by_language: dict[str, float] = Field(default_factory=dict, description="Language → share correct.")
    family_sizes: dict[str, int] = Field(default_factory=dict)


def load_guardrail_set(paths: list[Path] | None) -> list[GuardrailCase]:
    return [GuardrailCase.model_validate(r) for r in _jsonl(paths or [EVAL_DIR / "guardrails.jsonl"])]


async def evaluate_guardrails(guardrail: Guardrail, cases: list[GuardrailCase]) -> GuardrailReport:
    outcomes: dict[str, list[bool]] = defaultdict(list)
    families: dict[str, list[bool]] = defaultdict(list)
    languages: dict[str, list[bool]] = defaultdict(list)
    errors = []
    for case in cases:
        verdict = await guardrail.check(case.text, case.stage)
        kind = case.category.split(":")[0]
        found = {f.type for f in verdict.findings if f.policy in ("pii", "regex")}
        if kind == "pii" or case.pii:  # every listed kind (or value) masked, and the message still answered
            kinds = {pii_type(t) for t in case.pii if _PII_KIND.fullmatch(t)}
            values = [t for t in case.pii if not _PII_KIND.fullmatch(t)]
            correct = (
                kinds <= found
                and not any(v in verdict.text for v in values)
                and verdict.action == "anonymize"
            )
        elif case.expected == "support":
            correct = any(f.type == "SELF_HARM" for f in verdict.findings)
        else:
            correct = verdict.action == case.expected
        outcomes[kind].append(correct)
        families[case.family or case.category].append(correct)
        languages[case.language or "en"].append(correct)
        if not correct:
            got = ", ".join(f"{f.policy}/{f.type}" for f in verdict.findings) or "nothing"
            errors.append(
                f"{case.category}: want {case.expected}, got {verdict.action} ({got}): {case.text[:100]!r}"
            )

    def share(kind: str) -> float:
        values = outcomes.get(kind, [])
        return round(sum(values) / len(values), 4) if values else 0.0

    def shares(groups: dict[str, list[bool]]) -> dict[str, float]:
        return {k: round(sum(v) / len(v), 4) for k, v in sorted(groups.items())}

    return GuardrailReport(
        by_family=shares(families),
        by_language=shares(languages),
        family_sizes={k: len(v) for k, v in sorted(families.items())},
        dataset_size=len(cases),
        prompt_attack_recall=share("prompt_attack"),
        denied_topic_recall=share("denied_topic"),
        abuse_recall=share("abuse"),
        pii_masked=share("pii"),
        benign_false_positive_rate=round(1 - share("benign"), 4) if outcomes.get("benign") else 0.0,
        errors=errors,
    )
