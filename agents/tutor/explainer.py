"""Explain a pasted multiple-choice question: the pick(s), an honest confidence, and one line of
evidence from the notes for every option.

Offline each option is scored against the notes in the context of the stem (see `Scorer`); with a
chat model the model gets the question and the per-option evidence and writes the answer, which the
output guard then checks against that evidence."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process

from agents.context import AgentContext
from agents.guards.mention import as_data
from agents.reply import Citation, Reply
from agents.state import State
from agents.tutor import explainer_prompts as say
from agents.tutor.mcq import PastedQuestion, parse_pasted_question

if TYPE_CHECKING:
    from agents.tutor.library import Library
    from knowledge.index import KnowledgeIndex
    from knowledge.question_bank import Question

log = logging.getLogger(__name__)

Confidence = Literal["confident", "likely", "unsure"]
STEM_CHUNKS = 8  # the stem's best chunks, where an option named by the answer should show up
HOME_CHUNKS = 3  # an option's own best chunks: what the notes say the option is
BANK_MATCH = 88  # rapidfuzz ratio of normalised stems that counts as the same question
# Feature weights and confidence margins, tuned on the "tune" split of knowledge/eval/explain/dev.jsonl
# together with the bank's questions scored from the notes alone (harder, scenario-style distractors).
# The dense features (joint, home) keep the direction words lose: "speech to text" vs "text to speech".
WEIGHTS = {"joint": 0.5, "home": 1.0, "bm25": 1.0, "mention": 1.0, "sentence": 1.5}
CONFIDENT_MARGIN = 3.0  # bank from the notes alone: 93% right when confident, on 66% of questions
LIKELY_MARGIN = 1.0
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(*])|\n+")
_WORD = re.compile(r"[a-z0-9]+")
_MARKDOWN = re.compile(r"[*_`#|>]+")
_AMAZON = re.compile(r"\b(?:amazon|aws)\s+", re.I)


class OptionVerdict(BaseModel):
    letter: str
    text: str
    fits: bool = Field(description="Among the picks.")
    evidence: str = Field(description="One line from the notes on this option.")
    source: str = Field(description="Where the evidence is from: 'file › section' or a bank id.")
    score: float = Field(0.0, exclude=True, description="The option's standardised score.")
    section: str = Field("", exclude=True, description="Section id of the evidence.")


class Explanation(BaseModel):
    """`aifbot explain --json` (DESIGN.md)."""

    question: str | None = Field(description="The question as parsed; None when there is none.")
    picks: list[str] = Field(default_factory=list)
    confidence: Confidence = "unsure"
    options: list[OptionVerdict] = Field(default_factory=list)
    reply: str = ""
    bank_id: str | None = Field(None, exclude=True)
    task: str | None = Field(None, exclude=True)
    topic: str | None = Field(None, exclude=True)
    citations: list[Citation] = Field(default_factory=list, exclude=True)
    evidence: list[str] = Field(default_factory=list, exclude=True, description="For the grounding check.")


# -- the notes as vectors ---------------------------------------------------------------------------
@dataclass
class _Vectors:
    version: int
    matrix: np.ndarray  # unit rows, one per chunk, in index.chunks order


_lock = threading.Lock()
_vectors: dict[int, _Vectors] = {}


def chunk_vectors(index: KnowledgeIndex) -> np.ndarray:
    """Every chunk's embedding, read from Chroma once per index version."""
    key, version = id(index), id(index.chunks)
    with _lock:
        cached = _vectors.get(key)
        if cached is None or cached.version != version:
            ids = [c.id for c in index.chunks]
            got = index.collection.get(ids=ids, include=["embeddings"])
            by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
            dim = len(next(iter(by_id.values()))) if by_id else 1
            matrix = np.array([by_id.get(i, np.zeros(dim)) for i in ids], dtype=np.float32)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            cached = _Vectors(version, matrix / np.maximum(norms, 1e-9))
            _vectors[key] = cached
        return cached.matrix


@dataclass
class _Sentences:
    version: int
    idf: dict[str, float]
    by_chunk: list[list[frozenset[str]]]  # stemmed words of each sentence, per chunk


_sentence_cache: dict[int, _Sentences] = {}


def _sentences(index: KnowledgeIndex) -> _Sentences:
    """The notes' sentences as stemmed word sets, and each word's rarity, once per index version."""
    from knowledge.chunking import display_text

    key, version = id(index), id(index.chunks)
    with _lock:
        cached = _sentence_cache.get(key)
        if cached is None or cached.version != version:
            tokens = index.lexical.tokens
            by_chunk = [
                [frozenset(tokens(x)) for x in _SENTENCE.split(display_text(c.text)) if len(x) > 20]
                for c in index.chunks
            ]
            df: dict[str, int] = {}
            for sentences in by_chunk:
                for word in set().union(*sentences) if sentences else ():
                    df[word] = df.get(word, 0) + 1
            total = max(len(by_chunk), 1)
            idf = {w: float(np.log(1 + total / d)) for w, d in df.items()}
            cached = _Sentences(version, idf, by_chunk)
            _sentence_cache[key] = cached
        return cached


def sentence_support(index: KnowledgeIndex, stem: str, options: list[str], chunks: np.ndarray) -> np.ndarray:
    """Per option: the best sentence of the stem's chunks that matches both the stem and the words
    that set this option apart from the others ("few" in few-shot against "zero" in zero-shot).
    Chunks about a contrast hold both options; the sentence tells which one the stem describes."""
    notes = _sentences(index)
    idf, tokens = notes.idf, index.lexical.tokens
    stem_words = set(tokens(stem))
    option_words = [set(tokens(o)) for o in options]
    shared = set.intersection(*option_words) if option_words else set()
    stem_weight = sum(idf.get(w, 0.0) for w in stem_words) or 1.0
    out = np.zeros(len(options))
    for i, words in enumerate(option_words):
        own = words - shared - stem_words or words - shared
        own_weight = sum(idf.get(w, 0.0) for w in own)
        if not own_weight:
            continue
        for c in chunks:
            for sentence in notes.by_chunk[int(c)]:
                cover = sum(idf.get(w, 0.0) for w in own & sentence) / own_weight
                if cover:
                    relevance = sum(idf.get(w, 0.0) for w in stem_words & sentence) / stem_weight
                    out[i] = max(out[i], cover * relevance)
    return out


_title_cache: dict[int, tuple[int, dict[str, str]]] = {}


def _titles(index: KnowledgeIndex) -> dict[str, str]:
    """Normalised section headings (and the short form in their parentheses) → section id."""
    key, version = id(index), id(index.chunks)
    cached = _title_cache.get(key)
    if cached is None or cached[0] != version:
        titles: dict[str, str] = {}
        for chunk in index.chunks:
            title = re.sub(r"^(?:amazon|aws)\s+", "", chunk.title, flags=re.I)
            for name in (title, re.sub(r"\s*\(.*?\)", "", title), *re.findall(r"\((.*?)\)", title)):
                titles.setdefault(_normal(name), chunk.section)
        titles.pop("", None)
        cached = (version, titles)
        _title_cache[key] = cached
    return cached[1]


# "least operational overhead" / "most cost-effective": the exam's rule of thumb is managed and
# ready-made beats building, training or running it yourself
_MANAGED = re.compile(
    r"\b(?:managed|serverless|pre-?trained|no-code|bedrock|knowledge bases?|guardrails|canvas|jumpstart"
    r"|textract|comprehend|rekognition|transcribe|translate|polly|lex|kendra|personalize|amazon q"
    r"|rag|retrieval|prompt(?:ing| engineering| template)?|few-shot|on-demand|built-in|api)\b",
    re.I,
)
_EFFORTFUL = re.compile(
    r"\b(?:from scratch|custom|build(?:ing)?|develop(?:ing)?|train(?:ing)? (?:a|an|your|its|their|new)|"
    r"self-(?:managed|hosted)|ec2|eks|ecs|kubernetes|manual(?:ly)?|by hand|hire|every (?:day|week|month)|"
    r"pre-train|fine-tun\w*|retrain\w*|write|own (?:model|infrastructure|servers?)|on-premises|outposts)\b",
    re.I,
)
EFFORT_WEIGHT = 3.0


def effort_bonus(option: str) -> float:
    """+ for a managed, ready-made choice, − for one that builds, trains or runs it yourself."""
    return float(bool(_MANAGED.search(option))) - float(bool(_EFFORTFUL.search(option)))


def _z(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-6 else np.zeros_like(values)


def _norm_option(text: str) -> str:
    return _AMAZON.sub("", text).strip(" .")


class Scorer:
    """Scores the options of a question against the notes.

    Per option: how well stem + option retrieves the notes (joint), how well the notes' own text about
    the option matches what the stem needs (home: the option's best chunks against the stem — this is
    what tells "Transcribe" from "Translate" when the stem describes speech), BM25 of stem + option,
    and whether the stem's best chunks mention the option (mention). Each is standardised across the
    options, so only the differences between options count."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self.features: dict[str, np.ndarray] = {}  # the last question's raw features, for tuning

    def named_section(self, option: str) -> str | None:
        """The section an option names by its heading ("Amazon Transcribe", "SageMaker Clarify")."""
        titles = _titles(self.index)
        wanted = _normal(_norm_option(option))
        if not wanted or len(wanted.split()) > 6:
            return None
        found = process.extractOne(wanted, list(titles), scorer=fuzz.ratio, score_cutoff=92)
        return titles[found[0]] if found else None

    def score(self, question: PastedQuestion) -> tuple[np.ndarray, list[int]]:
        """Standardised score per option, and the chunk that is its evidence."""
        index = self.index
        matrix = chunk_vectors(index)
        letters = list(question.options)
        texts = [_norm_option(question.options[k]) or question.options[k] for k in letters]
        stem = question.stem
        # the stem once and the short options apart: a batch pads to its longest text, and
        # embedding "stem + option" n times was most of the time; the sum of the two unit vectors
        # stands in for the pair
        stem_vector = np.asarray(index.embedder.embed([stem]), dtype=np.float32)[0]
        option_vectors = np.asarray(index.embedder.embed(texts), dtype=np.float32)
        pairs = option_vectors + stem_vector
        pairs /= np.maximum(np.linalg.norm(pairs, axis=1, keepdims=True), 1e-9)
        n = len(letters)
        sims = np.vstack([stem_vector, option_vectors, pairs]) @ matrix.T  # (1 + 2n, chunks)
        stem_sim, option_sim, joint_sim = sims[0], sims[1 : 1 + n], sims[1 + n :]

        joint = joint_sim.max(axis=1)
        home = np.empty(n)
        evidence = []
        for i in range(n):
            own = np.argpartition(-option_sim[i], HOME_CHUNKS)[:HOME_CHUNKS]
            weights = np.exp(option_sim[i][own] * 20)
            home[i] = float((weights * stem_sim[own]).sum() / weights.sum())
            # the evidence: the chunk that is both about the option and about the question
            named = self.named_section(texts[i])
            if named is not None:  # the option is a service or term with its own section: its lead
                evidence.append(index.section_first_chunk[named])
            else:
                both = option_sim[i] + joint_sim[i]
                evidence.append(int(np.argmax(both)))

        lexical = index.lexical
        stem_lex = lexical.scores(stem)
        stem_top = np.argsort(-(stem_sim / max(stem_sim.max(), 1e-6) + stem_lex / max(stem_lex.max(), 1e-6)))[
            :STEM_CHUNKS
        ]
        bm25 = np.empty(n)
        mention = np.empty(n)
        for i, t in enumerate(texts):
            joint_lex = lexical.scores(f"{stem} {t}")
            bm25[i] = float(joint_lex.max()) if joint_lex.size else 0.0
            alone = lexical.scores(t)
            mention[i] = float(alone[stem_top].max()) if alone.size else 0.0
        sentence = sentence_support(index, stem, texts, stem_top)
        self.features = {"joint": joint, "home": home, "bm25": bm25, "mention": mention, "sentence": sentence}
        total = (
            WEIGHTS["sentence"] * _z(sentence)
            + WEIGHTS["joint"] * _z(joint)
            + WEIGHTS["home"] * _z(home)
            + WEIGHTS["bm25"] * _z(bm25)
            + WEIGHTS["mention"] * _z(np.log1p(mention))
        )
        if question.qualifier in ("least_overhead", "cost"):
            total = total + EFFORT_WEIGHT * np.array([effort_bonus(t) for t in texts])
        return total, evidence


def _evidence_line(chunk_text: str, option: str, stem: str) -> str:
    """The sentence of a chunk that says most about the option (then about the stem): one that
    names the option outright, early in the section, wins over one that mentions it in passing."""
    from knowledge.chunking import display_text

    body = display_text(chunk_text)
    body = body.split("\n", 1)[-1] if "\n" in body else body
    named = _normal(_norm_option(option))
    option_words = set(_WORD.findall(named))
    stem_words = set(_WORD.findall(stem.lower()))
    best, best_score = "", -1.0
    for position, sentence in enumerate(_SENTENCE.split(body)):
        clean = " ".join(_MARKDOWN.sub("", sentence).split()).lstrip("- ")
        if len(clean) < 25 or clean.endswith(":"):
            continue
        words = set(_WORD.findall(clean.lower()))
        plain = _normal(clean)
        score = 2 * len(words & option_words) + len(words & stem_words) / 4 - len(clean) / 2000
        score += 2.0 if named and named in plain[: len(named) + 40] else 0.0
        score += 1.0 if position == 0 else 0.0
        if score > best_score:
            best, best_score = clean, score
    if len(best) > 240:
        best = best[:237].rsplit(" ", 1)[0] + "…"
    return best


def _confidence(ordered: np.ndarray, pick: int) -> Confidence:
    if len(ordered) <= pick:
        return "unsure"
    margin = float(ordered[pick - 1] - ordered[pick])
    if margin >= CONFIDENT_MARGIN:
        return "confident"
    return "likely" if margin >= LIKELY_MARGIN else "unsure"


# -- a question from our own bank -------------------------------------------------------------------
def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


_stems_cache: dict[int, tuple[list, list[str]]] = {}


def _bank_stems(candidates: list[Question]) -> list[str]:
    """Normalised stems, computed once per bank (a bank's questions don't change while loaded)."""
    key = id(candidates[0]), len(candidates)
    cached = _stems_cache.get(hash(key))
    if cached is None or cached[0] is not candidates[0]:
        cached = (candidates[0], [_normal(q.stem) for q in candidates])  # type: ignore[assignment]
        _stems_cache.clear()
        _stems_cache[hash(key)] = cached
    return cached[1]


def find_in_bank(question: PastedQuestion, bank: list[Question]) -> tuple[Question, dict[str, str]] | None:
    """The bank question this paste is (fuzzy stem match, options matched by text), with a map from
    the pasted letters to the bank's."""
    candidates = [q for q in bank if q.type in ("single", "multiple")]
    if not question.stem or not candidates:
        return None
    stems = _bank_stems(candidates)
    found = process.extractOne(_normal(question.stem), stems, scorer=fuzz.ratio, score_cutoff=BANK_MATCH)
    if found is None:
        return None
    match = candidates[found[2]]
    bank_texts = {k: _normal(v) for k, v in match.options.items()}
    mapping: dict[str, str] = {}
    for letter, text in question.options.items():
        best = process.extractOne(_normal(text), bank_texts, scorer=fuzz.ratio, score_cutoff=80)
        if best is None:
            return None  # same stem, different options: not our question
        mapping[letter] = best[2]
    if len(set(mapping.values())) != len(mapping):
        return None
    return match, mapping


def explain_from_bank(question: PastedQuestion, match: Question, mapping: dict[str, str]) -> Explanation:
    right = set(match.answer_letters)
    picks = [k for k, v in mapping.items() if v in right]
    options = []
    for letter, text in question.options.items():
        bank_letter = mapping[letter]
        why = (
            match.explanation.correct
            if bank_letter in right
            else match.explanation.wrong.get(bank_letter, "")
        )
        options.append(
            OptionVerdict(
                letter=letter, text=text, fits=bank_letter in right, evidence=why, source=f"bank {match.id}"
            )
        )
    lines = [f"**{', '.join(picks)}** — {say.FROM_BANK.format(id=match.id)}", ""]
    lines += [f"{o.letter}. {o.text} — {'fits' if o.fits else 'does not fit'}: {o.evidence}" for o in options]
    return Explanation(
        question=question.text,
        picks=picks,
        confidence="confident",
        options=options,
        reply="\n".join(lines),
        bank_id=match.id,
        task=match.task,
    )


# -- the offline explanation ------------------------------------------------------------------------
def _problem_notes(question: PastedQuestion) -> list[str]:
    notes = []
    if "duplicate letters" in question.problems:
        notes.append(say.DUPLICATE_LETTERS)
    if "skipped letters" in question.problems:
        letters = "ABCDEFGH"[: "ABCDEFGH".index(list(question.options)[-1]) + 1]
        missing = ", ".join(x for x in letters if x not in question.options)
        notes.append(say.SKIPPED_LETTERS.format(letters=missing))
    if "more than six options" in question.problems:
        notes.append(say.TOO_MANY.format(n=len(question.options)))
    if question.missing_figure:
        notes.append(say.MISSING_FIGURE)
    return notes


def explain_offline(
    question: PastedQuestion, index: KnowledgeIndex, bank: list[Question] | None = None
) -> Explanation:
    """Pick(s), confidence and per-option evidence from the notes alone."""
    if not question.stem:
        return Explanation(question=None, reply=say.NO_STEM)
    if bank and (found := find_in_bank(question, bank)):
        explained = explain_from_bank(question, *found)
        from agents.tutor.library import library_for

        home = library_for(index).sections.get(found[0].sources[0])
        explained.topic = home.title if home else None
        return _with_key(explained, question, prefix=_problem_notes(question))
    from agents.tutor.library import library_for

    library = library_for(index)
    scores, evidence = Scorer(index).score(question)
    signed = -scores if question.qualifier == "negative" else scores
    letters = list(question.options)
    order = np.argsort(-signed, kind="stable")
    picks = sorted(letters[i] for i in order[: question.pick])
    confidence = _confidence(signed[order], question.pick)
    if question.missing_figure and confidence == "confident":
        confidence = "likely"

    cited: dict[str, int] = {}
    options: list[OptionVerdict] = []
    passages: list[str] = []
    for i, letter in enumerate(letters):
        chunk = index.chunks[evidence[i]]
        section = library.sections.get(chunk.section)
        n = cited.setdefault(chunk.section, len(cited) + 1)
        line = _evidence_line(chunk.text, question.options[letter], question.stem)
        title = section.title if section else chunk.title
        options.append(
            OptionVerdict(
                letter=letter,
                text=question.options[letter],
                fits=letter in picks,
                evidence=line,
                source=f"{chunk.source} › {title}",
                score=round(float(signed[i]), 3),
                section=chunk.section,
            )
        )
        passages.append(f"[{n}] {title}: {line}")
    citations = []
    for section_id, n in cited.items():
        info = library.sections.get(section_id)
        first = index.chunks[index.section_first_chunk[section_id]]
        citations.append(
            Citation(n=n, section=section_id, title=info.title if info else first.title, source=first.source)
        )
    # the topic is what the question is about: its best-supported option (for NOT, a true one)
    top = options[int(np.argmax(scores))]
    home = library.sections.get(top.section)
    explanation = Explanation(
        question=question.text,
        picks=picks,
        confidence=confidence,
        options=options,
        task=home.task if home else None,
        topic=home.title if home else None,
        citations=citations,
        evidence=[_evidence_block(index, library, s, n) for s, n in cited.items()],
    )
    explanation.reply = _reply_text(explanation, question, cited, passages)
    return _with_key(explanation, question, prefix=_problem_notes(question))


def _evidence_block(index: KnowledgeIndex, library: Library, section_id: str, n: int) -> str:
    info = library.sections.get(section_id)
    if info is None:
        return f"[{n}]"
    return f"[{n}] {info.title}\n{info.body}"


def _reply_text(
    explanation: Explanation, question: PastedQuestion, cited: dict[str, int], passages: list[str]
) -> str:
    picks = ", ".join(explanation.picks)
    named = "; ".join(question.options[p] for p in explanation.picks)
    head = f"**{picks}** — {named} (confidence: {say.CONFIDENCE_WORDS[explanation.confidence]})"
    lines = [head]
    if question.qualifier in say.QUALIFIER_NOTES:
        lines.append(say.QUALIFIER_NOTES[question.qualifier])
    lines.append("")
    for option in explanation.options:
        n = cited[option.section]
        if question.qualifier == "negative":
            verdict = "the exception" if option.fits else "applies"
        else:
            verdict = "fits" if option.fits else "doesn't fit"
        lines.append(f"{option.letter}. {option.text} — {verdict}: {option.evidence} [{n}]")
    if explanation.task and explanation.topic:
        lines += ["", say.FOLLOW_UP.format(task=explanation.task, topic=explanation.topic)]
    return "\n".join(lines)


def _with_key(explanation: Explanation, question: PastedQuestion, prefix: list[str]) -> Explanation:
    notes = list(prefix)
    if question.key:
        key, picks = ", ".join(question.key), ", ".join(explanation.picks)
        agree = sorted(question.key) == sorted(explanation.picks)
        notes.append(
            say.KEY_AGREES.format(key=key) if agree else say.KEY_DIFFERS.format(key=key, picks=picks)
        )
    if notes:
        explanation.reply = "\n\n".join(
            [explanation.reply.split("\n\n", 1)[0], *notes, *explanation.reply.split("\n\n")[1:]]
        )
    return explanation


# -- with a chat model ------------------------------------------------------------------------------
_ANSWER_LINE = re.compile(r"answers?\s*[:\-]\s*\**\s*([A-H](?:\s*(?:,|and|&)\s*[A-H])*)\b", re.I)


async def explain_with_model(
    question: PastedQuestion, offline: Explanation, context: AgentContext
) -> Explanation:
    """The model reads the question and the per-option evidence and writes the answer."""
    assert context.chat_model is not None
    hint = f"{', '.join(offline.picks)} ({offline.confidence})"
    system = say.EXPLAIN_SYSTEM.format(
        pick=question.pick,
        qualifier=say.QUALIFIER_RULES[question.qualifier],
        evidence="\n\n".join(offline.evidence),
        hint=hint,
    )
    response = await context.chat_model.ainvoke([SystemMessage(system), HumanMessage(as_data(question.text))])
    written = response.text if hasattr(response, "text") else str(response.content)
    if not written.strip():
        raise ValueError("empty model answer")
    match = _ANSWER_LINE.search(written)
    picks = offline.picks
    if match:
        said = sorted({x.upper() for x in re.findall(r"[A-Ha-h]", match.group(1))} & set(question.options))
        if len(said) == question.pick:
            picks = said
    agree = picks == offline.picks
    confidence: Confidence = offline.confidence if agree else "unsure"
    options = [o.model_copy(update={"fits": o.letter in picks}) for o in offline.options]
    return offline.model_copy(
        update={"picks": picks, "confidence": confidence, "options": options, "reply": written.strip()}
    )


# -- the graph node ---------------------------------------------------------------------------------
def _bank(context: AgentContext) -> list[Question]:
    if context.quiz is not None:
        return context.quiz.questions
    from knowledge.question_bank import load_questions

    return load_questions()


async def explain(text: str, context: AgentContext) -> tuple[Explanation, str | None]:
    """Explain the question in `text`; the second value is a notice for the reply."""
    question = parse_pasted_question(text)
    if question is None:
        return Explanation(
            question=None,
            reply="I found no multiple-choice question (a stem and 3–6 lettered options) in that.",
        ), None
    offline = await asyncio.to_thread(explain_offline, question, context.retriever.index, _bank(context))
    if context.chat_model is None or offline.question is None or offline.bank_id:
        return offline, (say.OFFLINE_NOTICE if offline.question and not offline.bank_id else None)
    try:
        return await explain_with_model(question, offline, context), None
    except Exception as exc:  # throttling, timeouts, outages: the offline scoring instead
        log.warning("explainer model failed: %s", type(exc).__name__)
        return offline, say.MODEL_FAILED_NOTICE


async def explain_turn(state: State, runtime: Runtime[AgentContext]) -> dict:
    """The tutor's answer to a pasted multiple-choice question, as a partial state update."""
    explained, notice = await explain(state["text"], runtime.context)
    update: dict = {
        "draft": Reply(text=explained.reply, route="tutor", citations=explained.citations, notice=notice),
        "sources": explained.citations,
        # a written answer is checked against the evidence; the offline one quotes the notes
        "evidence": explained.evidence if notice is None and not explained.bank_id else [],
    }
    if explained.topic:
        update["topic"] = explained.topic
        update["last_query"] = explained.topic
    if explained.task:
        update["task"] = explained.task
    return update
