"""What the quizmaster says."""

HOW_TO = {
    "single": "Reply with one letter, e.g. B.",
    "multiple": "Reply with letters, e.g. A, C.",
    "ordering": "Reply with the letters in order, e.g. C A D B.",
    "matching": "Reply with pairs, e.g. A-2 B-1 C-3.",
}
NO_MATCH = (
    "I have no questions for that yet. Try a domain (1–5), a task statement such as 3.2, "
    "a difficulty (easy, medium, hard), or a topic like RAG or SageMaker."
)
OPEN_QUIZ = (
    "You have a quiz open (question {n} of {total}). Say *resume* to carry on or *new quiz* to start over."
)
NOTHING_OPEN = "There's no open question right now. Say *quiz me* (or *quiz me on domain 3*) to start."
STOPPED = "Quiz stopped."
ALREADY_ANSWERED = "That question is already answered; here is the current one."
COMING = {
    "mock": "The 65-question mock exam is coming soon. Until then try *quiz me on domain 3* or "
    "*10 hard questions*.",
    "stats": "Detailed stats and charts are coming soon. Your answers are already being recorded.",
    "leaderboard": "Leaderboards are coming soon.",
    "review": "Spaced-repetition reviews are coming soon. Until then, try *quiz me on* a weak topic.",
}
