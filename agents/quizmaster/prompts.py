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
MOCK_START = (
    "Mock exam: 65 questions drawn by domain weight, 90 minutes, no feedback until the end, "
    "scored on the 100–1000 scale (700 passes). Say *flag* to mark a question, *go to N* to move, "
    "*review* for the overview, *submit* when you're done, *stop* to pause or submit. "
    "(Say *exam-like mock* for 50 scored + 15 unscored.)"
)
TIME_UP = "Time is up."
MOCK_AVOID_DAYS = 14  # the mock exam avoids questions practised this recently, while the bank allows
MOCK_START_EXAM_LIKE = (
    "Mock exam, exam-like: 65 questions by domain weight, 90 minutes; 50 are scored and 15 are "
    "unscored (you won't know which until the end), as in the real exam. Say *flag* to mark a "
    "question, *go to N* to move, *review* for the overview, *submit* when you're done."
)
CONFIRM_NEW = (
    "You're on question {n} of {total} with {done} done. Start a new quiz and close this one? "
    "Say *yes* for the new quiz or *resume* to carry on."
)
SIDE_LATER = (
    "Good question, but answering it now could give this question away, so I'll answer it right "
    "after you answer. (Or choose *Answer it now*.)"
)
BACK_TO_QUIZ = "Back to your quiz:"
PLAN_ASK_DATE = "When is your exam? Say e.g. *my exam is on 2027-01-15* and I'll plan each day up to it."
PLAN_PAST = "That date is today or already past; give a future exam date, e.g. *my exam is on 2027-01-15*."
PLAN_FIRST = "First tell me your exam date (*my exam is on 2027-01-15*); then I can remind you daily."
REMINDER_ON = (
    "Daily reminder on: you'll get today's plan each day (a DM on Slack or Discord, at the start "
    "in the terminal). Say *stop reminders* to turn it off."
)
REMINDER_OFF = "Daily reminder off."
