"""`aifbot eval answers`: do the tutor's answers carry the key facts, cleanly formatted?

Each item of a set (JSONL) is a learner question with the facts a good answer must carry, each as a
group of acceptable phrasings, and phrases it must not contain. Items sharing a "conversation" run
in one conversation, in file order, so follow-up chains are judged as a learner would see them."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

ANSWERS_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "eval" / "answers"
DEFAULT_SETS = ("dev.jsonl", "heldout.jsonl", "dev2.jsonl", "dev3.jsonl")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


class AnswerCase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    text: str
    intent: str = "definition"
    domain: int | None = None
    task: str | None = None
    key_facts: list[list[str]] = Field(default_factory=list, description="Every group must match.")
    must_not: list[str] = Field(default_factory=list)
    conversation: str | None = None
    dataset: str = ""

    @field_validator("id", "task", "conversation", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: Any) -> Any:
        if isinstance(value, str):  # "3", "d3", "domain 3"
            found = re.search(r"[0-5]", value)
            return int(found.group(0)) if found else None
        return value

    @field_validator("intent", mode="before")
    @classmethod
    def _intent(cls, value: Any) -> Any:
        return value or "definition"

    @field_validator("key_facts", mode="before")
    @classmethod
    def _groups(cls, value: Any) -> Any:
        """A bare phrase is a group of one."""
        return [[v] if isinstance(v, str) else v for v in value or []]

    @field_validator("must_not", mode="before")
    @classmethod
    def _phrases(cls, value: Any) -> Any:
        return value or []


class AnswerVerdict(BaseModel):
    id: str
    passed: bool
    missing: list[list[str]] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    formatting: list[str] = Field(default_factory=list)
    repeated: bool = False
    words: int = 0


class Share(BaseModel):
    n: int
    share: float


class AnswerMetrics(BaseModel):
    dataset_size: int
    share: float = Field(description="Answers carrying every key fact, cleanly formatted, none forbidden.")
    facts_share: float
    clean_share: float
    repeated_follow_ups: int
    words_80_250_share: float
    by_intent: dict[str, Share]
    by_domain: dict[str, Share]
    by_dataset: dict[str, Share]
    failures: list[str]


def load_answer_set(paths: list[Path] | None) -> list[AnswerCase]:
    import json

    files = paths or [ANSWERS_DIR / name for name in DEFAULT_SETS if (ANSWERS_DIR / name).exists()]
    cases = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                row = json.loads(line)
                row.setdefault("id", f"{path.stem}-{number}")
                # a set may mark its own held-out part ("split": "held"); it is reported apart
                label = f"{path.stem}-held" if row.get("split") == "held" else path.stem
                cases.append(AnswerCase.model_validate({**row, "dataset": label}))
    return cases


def normalise(text: str) -> str:
    text = _EMPHASIS.sub("", text).replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    return " ".join(text.lower().split())


def formatting_problems(text: str) -> list[str]:
    """What would look broken in a chat: cut emphasis, open code fences, a line promising a list
    that never comes, an example quote with nothing in it."""
    problems = []
    if text.count("```") % 2:
        problems.append("open code fence")
    text = re.sub(r"```.*?```", "```code```", text, flags=re.S)  # code is shown as written
    for paragraph in re.split(r"\n\s*\n", text):
        plain = re.sub(r"`[^`]*`", "", paragraph)
        if plain.count("**") % 2:
            problems.append(f"cut emphasis: {paragraph[:60]!r}")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    for i, block in enumerate(blocks):
        last_line = block.splitlines()[-1].strip()
        stripped = re.sub(r"\s*\[\d+\]\s*$", "", last_line)
        follows = blocks[i + 1] if i + 1 < len(blocks) else ""
        if block.startswith(">"):
            continue  # a quoted prompt may end with "Category:" on purpose
        if stripped.endswith(":") and not re.match(r"^\s*([-*•|>]|\d+[.)]|\*\*|```)", follows):
            problems.append(f"promise without a list: {stripped[-60:]!r}")
        if (
            re.fullmatch(r"(example:?\s*)?>?\s*", stripped, re.I)
            and stripped
            and not follows.startswith((">", "```"))
        ):
            problems.append("empty example")
    if re.search(r"^\s*[-*•]\s*\[\d+\]\s*$", text, re.M):
        problems.append("empty bullet")
    return problems


def judge(case: AnswerCase, reply_text: str, previous: str | None) -> AnswerVerdict:
    answer = normalise(reply_text)
    missing = [group for group in case.key_facts if not any(normalise(p) in answer for p in group)]
    # a forbidden phrase is matched as whole words: "SHAP" is not in "shape the response"
    forbidden = [p for p in case.must_not if re.search(rf"(?<!\w){re.escape(normalise(p))}(?!\w)", answer)]
    formatting = formatting_problems(reply_text)
    repeated = previous is not None and normalise(previous) == answer
    return AnswerVerdict(
        id=case.id,
        passed=not (missing or forbidden or formatting or repeated),
        missing=missing,
        forbidden=forbidden,
        formatting=formatting,
        repeated=repeated,
        words=len(reply_text.split()),
    )


def summarise(cases: list[AnswerCase], verdicts: list[AnswerVerdict]) -> AnswerMetrics:
    def shares(key: Any) -> dict[str, Share]:
        groups: dict[str, list[bool]] = defaultdict(list)
        for case, verdict in zip(cases, verdicts, strict=True):
            groups[str(key(case))].append(verdict.passed)
        return {k: Share(n=len(v), share=round(sum(v) / len(v), 4)) for k, v in sorted(groups.items())}

    n = len(verdicts) or 1
    failures = []
    for case, v in zip(cases, verdicts, strict=True):
        if v.passed:
            continue
        reasons = []
        if v.missing:
            reasons.append("missing " + "; ".join("|".join(g) for g in v.missing))
        if v.forbidden:
            reasons.append("contains " + ", ".join(v.forbidden))
        if v.formatting:
            reasons.append("; ".join(v.formatting))
        if v.repeated:
            reasons.append("repeats the previous answer")
        failures.append(f"{case.id} {case.text[:70]!r}: {' / '.join(reasons)}")
    return AnswerMetrics(
        dataset_size=len(verdicts),
        share=round(sum(v.passed for v in verdicts) / n, 4),
        facts_share=round(sum(not v.missing and not v.forbidden for v in verdicts) / n, 4),
        clean_share=round(sum(not v.formatting for v in verdicts) / n, 4),
        repeated_follow_ups=sum(v.repeated for v in verdicts),
        words_80_250_share=round(sum(80 <= v.words <= 250 for v in verdicts) / n, 4),
        by_intent=shares(lambda c: c.intent),
        by_domain=shares(lambda c: c.domain if c.domain is not None else "-"),
        by_dataset=shares(lambda c: c.dataset),
        failures=failures,
    )


async def evaluate_answers_offline(context: Any, cases: list[AnswerCase]) -> AnswerMetrics:
    """The cases through a fresh graph whose checkpoints live in memory: an evaluation leaves no
    conversations behind in the data dir."""
    from langgraph.checkpoint.memory import InMemorySaver

    from agents.graph import build_graph
    from agents.state import checkpoint_serializer
    from bots.platform.core import ConversationService

    graph = build_graph(InMemorySaver(serde=checkpoint_serializer()))
    return await evaluate_answers(ConversationService(graph, context), cases)


async def evaluate_answers(service: Any, cases: list[AnswerCase]) -> AnswerMetrics:
    """Run every case through the conversation service (the full graph), one conversation per
    chain, and judge the replies."""
    from agents.state import UserRef
    from bots.platform.core import Turn

    run = uuid.uuid4().hex[:8]
    previous: dict[str, str] = {}
    verdicts = []
    for case in cases:
        channel = f"eval-{run}-{case.conversation or case.id}"
        reply = await service.handle(
            Turn(text=case.text, user=UserRef(platform="cli", id="eval"), channel=channel)
        )
        # the learner sees the notice too ("the notes are in English")
        shown = f"{reply.text}\n\n{reply.notice}" if reply.notice else reply.text
        verdicts.append(judge(case, shown, previous.get(channel)))
        previous[channel] = shown
    return summarise(cases, verdicts)
