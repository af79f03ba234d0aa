"""What `/quiz topic:` offers as you type: the exam's domains, its task statements, and common
topics. Discord shows at most 25 choices (names and values up to 100 characters)."""

from __future__ import annotations

from agents.quizmaster.mock import DOMAIN_NAMES
from agents.tutor.summaries import TASKS

MAX_CHOICES = 25  # Discord's limit for autocomplete results
TOPICS = (
    "Amazon Bedrock",
    "Amazon SageMaker",
    "Amazon Q",
    "Bedrock Guardrails",
    "retrieval-augmented generation",
    "prompt engineering",
    "fine-tuning",
    "embeddings and vector databases",
    "model evaluation metrics",
    "responsible AI and bias",
    "explainability",
    "security and privacy of AI systems",
    "governance and compliance",
    "supervised and unsupervised learning",
    "inference options and costs",
)


def all_choices() -> list[tuple[str, str]]:
    """(shown name, value sent as the topic), domains first, then tasks, then topics."""
    domains = [(f"Domain {n}: {name}", f"domain {n}") for n, name in DOMAIN_NAMES.items()]
    tasks = [(f"Task {task}: {text}", f"task {task}") for task, text in TASKS.items()]
    return [*domains, *tasks, *((topic, topic) for topic in TOPICS)]


def topic_choices(typed: str) -> list[tuple[str, str]]:
    """The choices matching what is typed so far (every word, anywhere in the name)."""
    words = typed.lower().split()
    found = [(name, value) for name, value in all_choices() if all(w in name.lower() for w in words)]
    return [(name[:100], value[:100]) for name, value in found[:MAX_CHOICES]]
