"""`aifbot eval explain`: how often the offline explainer picks the key, per confidence level."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from agents.tutor.explainer import explain_offline
from agents.tutor.mcq import parse_pasted_question

if TYPE_CHECKING:
    from knowledge.index import KnowledgeIndex

LEVELS = ("confident", "likely", "unsure")


class ExplainCase(BaseModel):
    id: str
    text: str
    answer: list[str]
    task: str = ""
    split: str = ""


class LevelFigures(BaseModel):
    count: int
    accuracy: float | None = Field(description="None when no question got this level.")


class ExplainReport(BaseModel):
    dataset: str
    total: int
    parsed: int = Field(description="Questions the parser recognised.")
    accuracy: float = Field(description="Share whose picks equal the key exactly (unparsed count as wrong).")
    by_confidence: dict[str, LevelFigures]
    confident_share: float
    by_split: dict[str, float] = Field(default_factory=dict, description="Accuracy per split field.")
    misses: list[str] = Field(default_factory=list, description="Ids answered wrongly.")


def load_cases(path: Path) -> list[ExplainCase]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [ExplainCase.model_validate(r) for r in rows]


def evaluate(cases: Iterable[ExplainCase], index: KnowledgeIndex, dataset: str = "") -> ExplainReport:
    """The bank is left out on purpose: a set's questions must be answered from the notes."""
    cases = list(cases)
    hits: dict[str, list[bool]] = {level: [] for level in LEVELS}
    splits: dict[str, list[bool]] = {}
    parsed, misses = 0, []
    for case in cases:
        question = parse_pasted_question(case.text)
        right, level = False, "unsure"
        if question is not None:
            parsed += 1
            explained = explain_offline(question, index)
            level = explained.confidence
            right = sorted(explained.picks) == sorted(case.answer)
        hits[level].append(right)
        splits.setdefault(case.split or "all", []).append(right)
        if not right:
            misses.append(case.id)
    total = len(cases)
    correct = sum(sum(v) for v in hits.values())
    return ExplainReport(
        dataset=dataset,
        total=total,
        parsed=parsed,
        accuracy=round(correct / total, 4) if total else 0.0,
        by_confidence={
            level: LevelFigures(count=len(v), accuracy=round(sum(v) / len(v), 4) if v else None)
            for level, v in hits.items()
        },
        confident_share=round(len(hits["confident"]) / total, 4) if total else 0.0,
        by_split={k: round(sum(v) / len(v), 4) for k, v in splits.items()},
        misses=misses,
    )
