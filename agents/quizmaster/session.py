"""A practice session, kept in the conversation's checkpointed state so it survives a restart."""

from __future__ import annotations

from pydantic import BaseModel, Field


class QuizResult(BaseModel):
    question: str
    domain: int
    correct: bool | None = Field(None, description="None when skipped.")


class QuizSession(BaseModel):
    id: str
    questions: list[str] = Field(description="Question ids in the order they are asked.")
    position: int = 0
    results: list[QuizResult] = Field(default_factory=list)
    label: str = Field("", description="What the quiz is about, for the summary.")

    @property
    def current(self) -> str | None:
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def finished(self) -> bool:
        return self.position >= len(self.questions)
