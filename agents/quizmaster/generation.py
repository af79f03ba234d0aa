"""Drafting new practice questions with a chat model, for a person to review.

The model writes one question at a time from one or two notes sections; each draft gets the next
free id of its domain, must pass the bank's validator and must be grounded in the sections it was
given. Accepted drafts go to a review file under `knowledge/questions/drafts/`, which the bank
loader never reads: nothing is served until a person moves it into `knowledge/questions/dN.yaml`.
"""

from __future__ import annotations

import logging
import random
import re
from collections import defaultdict
from pathlib import Path

import yaml
from bm25s.stopwords import STOPWORDS_EN
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from knowledge import question_bank
from knowledge.documents import Section
from knowledge.question_bank import Question, QuestionBody, QuestionType

log = logging.getLogger(__name__)

# -- prompts ---------------------------------------------------------------------------------------
SYSTEM = """\
You write practice questions for the AWS Certified AI Practitioner (AIF-C01) exam.

Rules:
- Write ONE original exam-style question in your own words, from ONLY the notes sections you are \
given. Use no fact that is not in those sections.
- Never copy, paraphrase or reconstruct real exam questions, exam dumps or other practice tests.
- Prefer a short, realistic business scenario (a company, a goal, a constraint) and set \
`scenario` to true; the exam asks which service, approach or step fits BEST.
- Plausible wrong options: real AWS services or ML ideas that fail the scenario for a reason the \
sections teach. No joke options, no "all of the above".
- `sources`: the id(s) of the given sections that teach the answer, copied exactly. Cite no other id.
- `explanation.correct`: why the answer is right, in the sections' own terms (at least one \
sentence). `explanation.wrong`: for single and multiple response, why EACH wrong option is wrong, \
keyed by its letter.
- `task`: the task statement you are given, such as "3.1".
- `difficulty`: easy (recall a definition), medium (apply it to a scenario), hard (tell close \
alternatives apart).
"""

TYPE_RULES: dict[str, str] = {
    "single": 'Single response: exactly four options A-D and one answer letter, e.g. answer: "B".',
    "multiple": (
        'Multiple response: five options A-E, two answer letters, e.g. answer: ["A", "D"]; '
        'the stem ends with "(Select TWO.)".'
    ),
    "ordering": (
        "Ordering: 3-5 options that are the steps of a process in scrambled order; the answer lists "
        'every letter in the right order, e.g. ["C", "A", "D", "B"]. explanation.wrong may be empty.'
    ),
    "matching": (
        "Matching: 3-4 options are the items (A, B, C...), `targets` the right-hand column keyed "
        '"1", "2"... (one extra distractor allowed); the answer maps every item to a target key, '
        'e.g. {"A": "2", "B": "1", "C": "3"}. explanation.wrong may be empty.'
    ),
}

DRAFT = """\
Write one {type} question for task statement {task} (domain {domain}).
{type_rule}

Notes sections (cite by the id in brackets):

{sections}
"""

SECTION = "[{id}] {title} ({doc_title})\n{text}"

# The exam is mostly single response; the other formats appear a few times per exam.
TYPE_WEIGHTS: dict[QuestionType, int] = {"single": 6, "multiple": 2, "ordering": 1, "matching": 1}
MIN_SHARED_WORDS = 3


# -- models ----------------------------------------------------------------------------------------
class DraftQuestion(QuestionBody):
    """One practice question drafted by the model: a bank question without its id and domain."""


class GenerationReport(BaseModel):
    """What one generation run produced: drafts ready for review, and drafts thrown away."""

    accepted: list[Question] = Field(default_factory=list, description="Valid, grounded drafts with ids.")
    rejected: list[tuple[str, str]] = Field(
        default_factory=list, description="(short description of the draft, why it was rejected)."
    )


# -- generating ------------------------------------------------------------------------------------
async def generate_questions(
    chat_model: BaseChatModel,
    sections: list[Section],
    domain: int,
    count: int,
    existing_ids: set[str],
    rng: random.Random,
) -> GenerationReport:
    """Ask the model for `count` drafts on the domain's sections, spread across its task
    statements, and keep those that validate and are grounded in the sections they were given."""
    pool = [s for s in sections if s.domain == domain and s.task.startswith(f"{domain}.")]
    if not pool:
        raise ValueError(f"no notes sections for domain {domain}")
    structured = chat_model.with_structured_output(DraftQuestion)
    next_number = _highest_number(existing_ids, domain) + 1
    report = GenerationReport()
    for primary in _pick(pool, count, rng):
        given = [primary, *_companion(primary, pool)]
        kind = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
        label = f"{kind} question on {primary.id} (task {primary.task})"  # as asked for
        try:
            result = await structured.ainvoke(_messages(given, kind, domain, primary.task))
        except ValidationError as exc:  # the reply did not fit the draft schema
            report.rejected.append((label, _short(f"invalid: {_errors(exc)}")))
            continue
        except Exception as exc:  # one failed draft must not end the run
            log.warning("draft %s failed: %s", label, exc)
            report.rejected.append((label, _short(f"model error: {type(exc).__name__}: {exc}")))
            continue
        if result is None:
            report.rejected.append((label, "model error: no question in the reply"))
            continue
        if next_number > 999:
            report.rejected.append((label, f"no free id left in domain {domain}"))
            continue
        qid = f"d{domain}-{next_number:03d}"
        try:
            draft = result if isinstance(result, DraftQuestion) else DraftQuestion.model_validate(result)
            question = Question.model_validate({**draft.model_dump(), "id": qid, "domain": domain})
        except ValidationError as exc:
            report.rejected.append((_describe(label, result), _short(f"invalid: {_errors(exc)}")))
            continue
        problem = grounding_problem(question, given)
        if problem:
            report.rejected.append((_describe(label, question), f"ungrounded: {problem}"))
            continue
        report.accepted.append(question)
        next_number += 1
    return report


def grounding_problem(question: Question, given: list[Section]) -> str | None:
    """Why the question is not grounded in the given sections, or None when it is: it cites only
    given sections, and its explanation shares content words with the cited ones."""
    texts = {s.id: f"{s.title}\n{s.text}" for s in given}
    foreign = [s for s in question.sources if s not in texts]
    if foreign:
        return f"cites section(s) it was not given: {', '.join(foreign)}"
    cited = _content_words(" ".join(texts[s] for s in question.sources))
    shared = _content_words(question.explanation.correct) & cited
    if len(shared) < MIN_SHARED_WORDS:
        return (
            f"the explanation shares {len(shared)} content word(s) with the cited sections "
            f"(needs {MIN_SHARED_WORDS})"
        )
    return None


def _pick(pool: list[Section], count: int, rng: random.Random) -> list[Section]:
    """`count` sections, taking the task statements in turn (shuffled), each task's sections in a
    shuffled order that starts over once used up."""
    by_task: dict[str, list[Section]] = defaultdict(list)
    for section in pool:
        by_task[section.task].append(section)
    tasks = sorted(by_task)
    rng.shuffle(tasks)
    queues: dict[str, list[Section]] = {t: [] for t in tasks}
    picked = []
    for i in range(count):
        task = tasks[i % len(tasks)]
        if not queues[task]:
            queues[task] = rng.sample(by_task[task], len(by_task[task]))
        picked.append(queues[task].pop())
    return picked


def _companion(primary: Section, pool: list[Section]) -> list[Section]:
    """The neighbouring section of the same note and task, for context and a second source."""
    i = pool.index(primary)
    for j in (i + 1, i - 1):
        if 0 <= j < len(pool) and pool[j].source == primary.source and pool[j].task == primary.task:
            return [pool[j]]
    return []


def _messages(given: list[Section], kind: str, domain: int, task: str) -> list:
    sections = "\n\n".join(
        SECTION.format(id=s.id, title=s.title, doc_title=s.doc_title or s.source, text=s.text) for s in given
    )
    prompt = DRAFT.format(type=kind, task=task, domain=domain, type_rule=TYPE_RULES[kind], sections=sections)
    return [SystemMessage(SYSTEM), HumanMessage(prompt)]


def _highest_number(ids: set[str], domain: int) -> int:
    pattern = re.compile(rf"^d{domain}-(\d{{3}})$")
    return max((int(m.group(1)) for i in ids if (m := pattern.match(i))), default=0)


_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(STOPWORDS_EN)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS}


def _errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _describe(label: str, draft: object) -> str:
    """The label, with the type the model actually wrote and the start of its stem."""
    fields = draft if isinstance(draft, dict) else vars(draft)
    kind, stem = fields.get("type"), fields.get("stem")
    if isinstance(kind, str) and kind in TYPE_WEIGHTS:
        label = kind + label[label.index(" ") :]
    return f"{label}: {_short(' '.join(str(stem).split()), 80)}" if stem else label


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the review file -------------------------------------------------------------------------------
REVIEW_HEADER = """\
# Question DRAFTS written by a model (aifbot question generation). They are never served:
# the bank only reads knowledge/questions/*.yaml. Check each draft against the notes sections it
# cites, fix or delete it, then move it by hand into knowledge/questions/{bank}.yaml.
"""


def review_path(domain: int) -> Path:
    """Where drafts of a domain wait for review: `knowledge/questions/drafts/dN-drafts.yaml`."""
    return question_bank.QUESTIONS_DIR / "drafts" / f"d{domain}-drafts.yaml"


def write_review_file(questions: list[Question], path: Path | None = None) -> Path:
    """Append the questions, in the bank's YAML format, to a review file (created with a header
    saying drafts are never served). Without a path, the questions' domain picks the file."""
    domains = {q.domain for q in questions}
    if path is None:
        if len(domains) != 1:
            raise ValueError("drafts of several domains (or none) need an explicit path")
        path = review_path(next(iter(domains)))
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    taken = {str(item.get("id")) for item in yaml.safe_load(existing) or [] if isinstance(item, dict)}
    clash = sorted(taken & {q.id for q in questions})
    if clash:
        raise ValueError(f"{path.name} already has {', '.join(clash)}")
    bank = f"d{next(iter(domains))}" if len(domains) == 1 else "dN"
    text = existing or REVIEW_HEADER.format(bank=bank)
    if not text.endswith("\n"):
        text += "\n"
    for question in questions:
        text += "\n" + _dump(question)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class _BankDumper(yaml.SafeDumper):
    """Writes like the hand-written bank: `sources: [a, b]`, long text folded (`>-`)."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = ">" if len(text) > 80 and "\n" not in text and text == text.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _list(dumper: yaml.SafeDumper, items: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True)


_BankDumper.add_representer(str, _str)
_BankDumper.add_representer(list, _list)


def _dump(question: Question) -> str:
    data = question.model_dump(mode="json", exclude=set() if question.targets else {"targets"})
    text = yaml.dump(data, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=100)
    return "- " + text.replace("\n", "\n  ").rstrip() + "\n"
