"""Scores the options of a pasted multiple-choice question against the notes: the features, their
weights, the confidence from the margin, and the evidence line for each option."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from rapidfuzz import fuzz, process

from agents.tutor.mcq import PastedQuestion

if TYPE_CHECKING:
    from knowledge.index import KnowledgeIndex

Confidence = Literal["confident", "likely", "unsure"]

STEM_CHUNKS = 8  # the stem's best chunks, where an option named by the answer should show up
HOME_CHUNKS = 3  # an option's own best chunks: what the notes say the option is
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
                titles.setdefault(normal_words(name), chunk.section)
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


def norm_option(text: str) -> str:
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
        wanted = normal_words(norm_option(option))
        if not wanted or len(wanted.split()) > 6:
            return None
        found = process.extractOne(wanted, list(titles), scorer=fuzz.ratio, score_cutoff=92)
        return titles[found[0]] if found else None

    def score(self, question: PastedQuestion) -> tuple[np.ndarray, list[int]]:
        """Standardised score per option, and the chunk that is its evidence."""
        index = self.index
        matrix = chunk_vectors(index)
        letters = list(question.options)
        texts = [norm_option(question.options[k]) or question.options[k] for k in letters]
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


def evidence_line(chunk_text: str, option: str, stem: str) -> str:
    """The sentence of a chunk that says most about the option (then about the stem): one that
    names the option outright, early in the section, wins over one that mentions it in passing."""
    from knowledge.chunking import display_text

    body = display_text(chunk_text)
    body = body.split("\n", 1)[-1] if "\n" in body else body
    named = normal_words(norm_option(option))
    option_words = set(_WORD.findall(named))
    stem_words = set(_WORD.findall(stem.lower()))
    best, best_score = "", -1.0
    for position, sentence in enumerate(_SENTENCE.split(body)):
        clean = " ".join(_MARKDOWN.sub("", sentence).split()).lstrip("- ")
        if len(clean) < 25 or clean.endswith(":"):
            continue
        words = set(_WORD.findall(clean.lower()))
        plain = normal_words(clean)
        score = 2 * len(words & option_words) + len(words & stem_words) / 4 - len(clean) / 2000
        score += 2.0 if named and named in plain[: len(named) + 40] else 0.0
        score += 1.0 if position == 0 else 0.0
        if score > best_score:
            best, best_score = clean, score
    if len(best) > 240:
        best = best[:237].rsplit(" ", 1)[0] + "…"
    return best


def confidence_of(ordered: np.ndarray, pick: int) -> Confidence:
    if len(ordered) <= pick:
        return "unsure"
    margin = float(ordered[pick - 1] - ordered[pick])
    if margin >= CONFIDENT_MARGIN:
        return "confident"
    return "likely" if margin >= LIKELY_MARGIN else "unsure"


def normal_words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))
