"""What the quizmaster says about a question after it is answered or skipped: a reason for every
option, then the explanation's citations inline, so they appear before the next question."""

from __future__ import annotations

from agents.quizmaster.grading import Grade, expected_text
from agents.reply import Citation
from knowledge.question_bank import Question


def option_reasons(question: Question) -> list[str]:
    """One line per option: ✓/✗ and why (single, multiple); the right order or pairs otherwise."""
    keys = set(question.answer_letters)
    if question.type in ("single", "multiple"):
        lines = []
        for letter, text in sorted(question.options.items()):
            if letter in keys:
                lines.append(f"✓ {letter}) {text}")
            else:
                lines.append(
                    f"✗ {letter}) {text}: {question.explanation.wrong.get(letter, 'not the best fit.')}"
                )
        return [f"Why {expected_text(question)}: {question.explanation.correct}", *lines]
    if isinstance(question.answer, dict):
        pairs = [
            f"{k}) {question.options[k]} → {question.targets[v]}" for k, v in sorted(question.answer.items())
        ]
    else:
        pairs = [f"{n}. {question.options[k]}" for n, k in enumerate(question.answer_letters, 1)]
    return [f"Why: {question.explanation.correct}", *pairs]


def cited_lines(cited: list[Citation]) -> list[str]:
    return [f"[{c.n}] {c.title}" for c in cited]


def feedback(question: Question, result: Grade, cited: list[Citation], hinted: bool = False) -> str:
    if result.correct:
        verdict = "✅ Correct" + (" (with a hint, so it comes back sooner)." if hinted else "!")
    else:
        verdict = f"❌ Not quite: you said {result.given}; the answer is {result.expected}."
    return "\n".join([verdict, *option_reasons(question), *cited_lines(cited)])


def skipped(question: Question, cited: list[Citation]) -> str:
    return "\n".join(
        [
            f"Skipped. The answer was {expected_text(question)}.",
            *option_reasons(question),
            *cited_lines(cited),
        ]
    )
