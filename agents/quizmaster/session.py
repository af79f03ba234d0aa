"""A practice session, kept in the conversation's checkpointed state so it survives a restart."""

from __future__ import annotations

from pydantic import BaseModel, Field


class QuizResult(BaseModel):
    question: str
    domain: int
    correct: bool | None = Field(None, description="None when skipped.")
    hinted: bool = False


class QuestionSequence(BaseModel):
    """Questions asked one at a time: a practice quiz or a mock exam."""

    id: str
    questions: list[str] = Field(description="Question ids in the order they are asked.")
    position: int = 0

    @property
    def current(self) -> str | None:
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def finished(self) -> bool:
        return self.position >= len(self.questions)


class QuizSession(QuestionSequence):
    results: list[QuizResult] = Field(default_factory=list)
    label: str = Field("", description="What the quiz is about, for the summary.")
    hinted: list[str] = Field(default_factory=list, description="Question ids a hint was given for.")
    side: str | None = Field(None, description="A side question held back until the open one is answered.")
    replace_with: str | None = Field(None, description="A 'new quiz' request waiting for confirmation.")
