"""Route classification: offline by nearest neighbours over labelled examples plus rules; with a
chat model by structured output."""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import yaml
from pydantic import BaseModel, Field

from agents.reply import Route
from agents.router.prompts import ROUTER_SYSTEM
from knowledge.documents import YAML_LOADER

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from knowledge.embeddings.base import Embedder

log = logging.getLogger(__name__)

EXAMPLES_FILE = Path(__file__).with_name("examples.yaml")
ROUTES: tuple[Route, ...] = ("tutor", "quizmaster", "banking", "help")


class RouteDecision(BaseModel):
    """Which agent should answer a message."""

    route: Route = Field(description="tutor, quizmaster, banking or help")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the router is, 0 to 1.")


class RouteClassifier(Protocol):
    async def classify(self, text: str) -> RouteDecision: ...


# Clear signals that need no model. Kept narrow: a study question that merely mentions a quiz,
# an account or a bank must still reach the tutor through the examples.
_RULES: list[tuple[Route, re.Pattern[str]]] = [
    (
        # study requests that name a quiz only as the step after the explanation, and summaries
        "tutor",
        re.compile(
            r"^\s*(?:can you |could you |please )?(?:explain|teach me"
            r"|tell me about|describe|go over|what is|what are)"
            r"\s+.+?[\s,;.]+(?:and\s+)?(?:then\s+)?(?:quiz|test|drill)\s+me\b"
            r"|^\s*(?:please |can you |could you )?(?:summari[sz]e"
            r"|(?:a |an )?(?:summary|overview|outline|recap) (?:of|for)\b"
            r"|give me (?:a |an )?(?:summary|overview|outline|recap)"
            r"|(?:make |write )?(?:me )?(?:a )?cheat ?sheet|outline"
            r"|recap)\b(?!.*\b(?:my|progress|stats|score|results)\b)"
            r"|^\s*what'?s?\s+(?:is\s+)?(?:in|covered in)\s+(?:domain|task)\b",
            re.I,
        ),
    ),
    (
        # a summary word with a domain or task statement is a request for its outline, however phrased
        # ("quick rundown of domain 1", "domain 4 in a nutshell", "what should I know for task 2.3")
        "tutor",
        re.compile(
            r"^(?!.*\b(?:quiz|test me|drill|mock|practice|questions?|my|progress|stats|score|results)\b)"
            r"(?=.*\b(?:domain\s*[1-5]|task(?: statement)?\s*[1-5]\.[1-4])\b)"
            r"(?=.*\b(?:summar\w*|overview|outline|cheat ?sheet|recap|rundown|run down|nutshell"
            r"|key points|main (?:points|topics|ideas)|big picture|tl;?dr|cover(?:s|ed)?|include[sd]?"
            r"|topics|what(?:'s| is) in|(?:should|do|must) i (?:know|learn|study|revise))\b)",
            re.I,
        ),
    ),
    (
        # an exam-style scenario about someone else ("A bank needs to mask phone numbers … What
        # should it use?") is a study question, whatever account or bank words its stem holds
        "tutor",
        re.compile(
            r"^\s*(?:an?|the)(?: [\w-]+){0,2}? (?:company|organi[sz]ation|business|team|startup|bank"
            r"|retailer|hospital|insurer|developer|data scientist|engineer|firm|app|agency|lender"
            r"|manufacturer|enterprise|clinic|airline|analyst|auditor|insurance company)s?\b"
            r".*\b(?:wants?|needs?|must|requires?|plans?|is building|would like)\b"
            r".*\b(?:which|what)\b.*\b(?:service|feature|tool|approach|option|capability|metric"
            r"|technique|should (?:it|they|the \w+) use|fits?)\b",
            re.I,
        ),
    ),
    (
        "quizmaster",
        re.compile(
            r"\bflash ?cards?\b|\bask me (?:something|anything"
            r"|a question|questions|some(?: \w+)? questions)\b"
            r"|\b(?:start|begin|run|do|take|give me|try|let'?s (?:do|have|try|start)|i want|i'?d like)\s+"
            r"(?:a |an |the |some |another )?(?:quick |short "
            r"|little |pop |new |fun )?(?:quiz|drill|practice round)\b"
            r"|^\s*quiz\s+(?:me\s+)?(?:about|on)\b"
            r"|^\s*(/?quiz|test me|drill me|mock exam|practice exam|leaderboard"
            r"|my (stats|progress|streak)s?\b)"
            r"|\b(quiz|test|drill) me\b|\b(start|take|begin|run) (a |the )?(mock|practice) (exam|test)\b"
            # a request for questions with a count, difficulty or format: "5 qs on RAG", "hard questions"
            r"|\b(\d+|an?|one|two|three|four|five|ten|some|few|more|another|hard|easy|difficult|tough|tricky"
            r"|practi[cs]e|ordering|matching|multiple[- ]choice|multiple[- ]response|random|sample)"
            r"\s+(\w+\s+)?(questions?|qs|mcqs?)\b(?!.*\b(are|is|does|do) (on|in) the (exam|test)\b)",
            re.I,
        ),
    ),
    (
        "banking",
        re.compile(
            r"\b(my|our) (bank )?account\b.*\b(status|pending|active|open|activ)"
            r"|\baccount\s*(id|number|no\.?|#)?\s*:?\s*\d{4,12}\b|\bbank of chicago\b",
            re.I,
        ),
    ),
    (
        "help",
        re.compile(
            r"^\s*(hi|hello|hey|hiya|yo|howdy|thanks|thank you|thx|ty|good (morning|afternoon|evening)"
            r"|help|commands|what can you do|who are you)\s*[!.?]*\s*(there|bot|aifbot)?\s*[!.?]*\s*$",
            re.I,
        ),
    ),
]


def rule_route(text: str) -> Route | None:
    for route, pattern in _RULES:
        if pattern.search(text):
            return route
    return None


def load_examples(path: Path = EXAMPLES_FILE, topics: list[str] | None = None) -> dict[Route, list[str]]:
    """Labelled examples; each study topic (a notes heading) adds a tutor question about it, so
    the router knows every subject the tutor can teach."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    missing = [r for r in ROUTES if not data.get(r)]
    if missing:
        raise ValueError(f"{path}: no examples for {', '.join(missing)}")
    examples: dict[Route, list[str]] = {route: [str(x) for x in data[route]] for route in ROUTES}
    examples["tutor"] += [f"what is {topic}?" for topic in sorted(set(topics or []))]
    return examples


class NearestNeighbourClassifier:
    """k nearest labelled examples by cosine similarity, votes weighted by similarity."""

    def __init__(
        self,
        embedder: Embedder,
        examples: dict[Route, list[str]] | None = None,
        cache_dir: Path | None = None,
        k: int = 5,
        off_topic_below: float = 0.25,
    ) -> None:
        examples = examples or load_examples()
        self.labels: list[Route] = [r for r, texts in examples.items() for _ in texts]
        texts = [t for ts in examples.values() for t in ts]
        self.embedder = embedder
        self.k = k
        self.off_topic_below = off_topic_below
        self.vectors = self._embed_examples(texts, cache_dir)

    def _embed_examples(self, texts: list[str], cache_dir: Path | None) -> np.ndarray:
        """Example vectors, cached on disk by content and model so a cold start skips them."""
        key = hashlib.sha256("\n".join([self.embedder.name, *texts]).encode()).hexdigest()[:16]
        cache = cache_dir / f"router-{key}.npy" if cache_dir else None
        if cache and cache.exists():
            return np.load(cache)
        vectors = self.embedder.embed(texts)
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, vectors)
        return vectors

    def decide(self, text: str) -> RouteDecision:
        ruled = rule_route(text)
        if ruled:
            return RouteDecision(route=ruled, confidence=1.0)
        query = self.embedder.embed([text])[0]
        sims = self.vectors @ query
        top = np.argsort(-sims)[: self.k]
        if sims[top[0]] < self.off_topic_below:
            return RouteDecision(route="help", confidence=0.5)
        votes: dict[Route, float] = defaultdict(float)
        for i in top:
            votes[self.labels[i]] += max(float(sims[i]), 0.0) ** 2
        route = max(votes, key=votes.__getitem__)
        total = sum(votes.values()) or 1.0
        return RouteDecision(route=route, confidence=round(votes[route] / total, 3))

    async def classify(self, text: str) -> RouteDecision:
        return self.decide(text)


class ChatModelClassifier:
    """Structured-output classification by a chat model; falls back offline on any failure."""

    def __init__(self, chat_model: BaseChatModel, fallback: RouteClassifier) -> None:
        self.structured = chat_model.with_structured_output(RouteDecision)
        self.fallback = fallback

    async def classify(self, text: str) -> RouteDecision:
        ruled = rule_route(text)
        if ruled:
            return RouteDecision(route=ruled, confidence=1.0)
        try:
            decision = await self.structured.ainvoke([("system", ROUTER_SYSTEM), ("human", text)])
            return RouteDecision.model_validate(decision)
        except Exception as exc:  # a model outage must not stop routing
            log.warning("router model failed (%s); routing offline", type(exc).__name__)
            return await self.fallback.classify(text)
