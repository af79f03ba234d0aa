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
NOT_SET_UP = "Practice quizzes aren't set up in this deployment."
CONFIRM_RESET = "This deletes all your answers and review schedule. Are you sure?"
RESET_DONE = "Done: your progress is reset ({n} answers removed)."
RESET_KEPT = "Okay, your progress is kept."
MOCK_OPEN = (
    "You have a mock exam open (question {n} of 65, {left}). Say *resume* to carry on or *finish* to submit."
)
MOCK_START = (
    "Mock exam: 65 questions drawn by domain weight, 90 minutes, no feedback until the end, "
    "scored on the 100–1000 scale (700 passes). Say *finish* to submit early."
)
TIME_UP = "Time is up."
