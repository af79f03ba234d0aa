"""Length cues in the bank: how often the longest option(s) are the key, per domain.

Run `uv run python -m knowledge.questions.check_cues` while writing questions; the bank test
enforces the limits (key strictly longest in <= 35 % of single-answer questions per domain, the
N longest options equal to the key in <= 15 % of multiple-response questions).
"""

from __future__ import annotations

import sys
from collections import defaultdict

from knowledge.question_bank import Question, load_questions

SINGLE_LIMIT = 0.35
MULTIPLE_LIMIT = 0.15


def key_strictly_longest(question: Question) -> bool:
    """Single answer: the key is longer than every other option."""
    key = len(question.options[question.answer])  # type: ignore[index]
    return all(key > len(text) for letter, text in question.options.items() if letter != question.answer)


def longest_are_key(question: Question) -> bool:
    """Multiple response: the N longest options are exactly the N keys (every key beats every distractor)."""
    keys = [len(question.options[k]) for k in question.answer_letters]
    others = [len(t) for k, t in question.options.items() if k not in question.answer_letters]
    return min(keys) > max(others)


def single_cue_by_domain(bank: list[Question]) -> dict[int, tuple[int, int]]:
    """Domain → (questions whose key is strictly longest, single-answer questions)."""
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for q in bank:
        if q.type == "single":
            tally[q.domain][0] += key_strictly_longest(q)
            tally[q.domain][1] += 1
    return {d: (c, n) for d, (c, n) in sorted(tally.items())}


def multiple_cue(bank: list[Question]) -> tuple[int, int]:
    multiple = [q for q in bank if q.type == "multiple"]
    return sum(longest_are_key(q) for q in multiple), len(multiple)


def offenders(bank: list[Question]) -> list[str]:
    return [
        q.id
        for q in bank
        if (q.type == "single" and key_strictly_longest(q)) or (q.type == "multiple" and longest_are_key(q))
    ]


def main() -> int:
    bank = load_questions()
    for domain, (cued, total) in single_cue_by_domain(bank).items():
        print(f"domain {domain}: key strictly longest in {cued}/{total} single ({cued / total:.0%})")
    cued, total = multiple_cue(bank)
    print(f"multiple response: N longest = key in {cued}/{total} ({cued / max(total, 1):.0%})")
    if "-v" in sys.argv:
        print("cued:", " ".join(offenders(bank)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
