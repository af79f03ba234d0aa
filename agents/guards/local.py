"""The offline guardrail: the policy file's filters run by local detectors.

Every check works on a normalised copy of the text, and again on whatever was hidden in it
(decoded payloads, smuggled tag characters; see normalize.py); masking works on the original.
Prompt attacks, threats, harassment and self-harm are judged by a trained classifier
(classifier.py) backed by rules; a question that quotes an attack is judged without the quotation
(mention.py). Denied topics: rules plus the nearest labelled phrases (MiniLM); content filters:
word lists; sensitive information: validated patterns; grounding: sentence-to-source similarity."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml
from bm25s.stopwords import STOPWORDS_EN

from agents.guards.base import Stage
from agents.guards.classifier import GuardClassifier, shipped
from agents.guards.markup import defang
from agents.guards.mention import split_quoted
from agents.guards.messages import SELF_HARM_REPLY
from agents.guards.normalize import Normalized, normalize, prepare
from agents.guards.pii import find_pii, mask
from agents.guards.policy import GuardrailPolicy
from agents.reply import Finding, GuardVerdict
from knowledge.documents import YAML_LOADER

# function words of the other languages learners write in: a short message with one is not English
_FOREIGN = frozenset(
    [
        "que",
        "qué",
        "de",
        "del",
        "la",
        "le",
        "les",
        "el",
        "los",
        "las",
        "un",
        "una",
        "und",
        "der",
        "das",
        "ist",
        "wie",
        "was",
        "est",
        "ce",
        "qu",
        "il",
        "di",
        "con",
        "per",
        "che",
        "é",
        "como",
        "qual",
        "spiegami",
        "explique",
        "explícame",
        "erklär",
        "wat",
        "het",
        "een",
        "van",
        "jest",
        "czym",
        "nedir",
        "apa",
        "itu",
        "yang",
        "ni",
        "ne",
        "nasıl",
        "cosa",
        "pourquoi",
        "porque",
        "warum",
        "perché",
        "o",
    ]
)
_ENGLISH = frozenset(STOPWORDS_EN) | {"i", "you", "me", "my", "what", "how", "is", "are", "the", "please"}

if TYPE_CHECKING:
    from knowledge.embeddings.base import Embedder

log = logging.getLogger(__name__)

RULE_FLOOR = 0.02  # classifier probability an attack rule needs to block a statement
QUESTION_FLOOR = 0.25  # ... and to block an English question, which may be about attacks
WINDOW_CHARS = 600  # long messages are judged window by window, so an attack can't hide at the end
EVIDENCE_CACHE = 4096  # source passages whose sentence vectors are kept
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
MAX_WINDOWS = 3  # start, middle, end: rules and PII checks already read every character

# Imperative attack shapes. Questions *about* attacks ("what is a prompt injection?") are left
# to the nearest-neighbour judgement, which has learned them from the benign examples.
_TARGET = (
    r"(instructions?|rules|directions|prompts?|guidelines|polic(y|ies)|programming|restrictions|guardrails?"
    r"|filters?|safety|constraints|context|instrucciones|anweisungen|instru[cç][oõ]es|regeln|reglas|r[eè]gles"
    r"|regras|consignes|directives)"
)
_ATTACK_RULES = [
    # override the instructions (also in Spanish, French, German, Portuguese, Italian)
    r"\b(ignore[sd]?|ignoring|ignorez|ignora|ignorar|ignoriere|disregard|forget|vergiss|olvida|oublie|esque[cç]a|override"
    r"|bypass|discard|set aside|drop|abandon)\b.{0,60}\b(your|all|previous|prior|above|earlier|the|my|tus|todas"
    r"|toutes|alle|deine|suas|todas|les|las|os)\b.{0,40}\b" + _TARGET,
    # extract the system prompt or hidden configuration
    r"\b(reveal|print|show|repeat|output|display|leak|dump|tell me|share|summari[sz]e|quote|paste|spell out"
    r"|translate)\b.{0,40}\b(your|the|tu|ton|dein|seu)\b.{0,25}\b(system ?prompt|hidden (rules|instructions|prompt)"
    r"|initial (prompt|instructions)|developer (prompt|message|instructions)|instructions|configuration)",
    # "show me the rules for the exam" is a study question; "show me your rules" is not
    r"\b(reveal|print|show|repeat|output|display|leak|dump|tell me|share|quote|paste|spell out)\b.{0,40}"
    r"\b(your|tu|ton|dein|seu)\b.{0,25}\b(rules|guidelines|instructions)\b",
    r"\b(prompt (du |del |do )?(syst[eè]me|sistema)|systemprompt)\b",
    # persona jailbreaks
    r"\b(do anything now|jailbreak(ed)? mode|developer mode|god mode|dan mode|evil (twin|mode)|no longer bound"
    r"|entwicklermodus|modo (desarrollador|desenvolvedor)|mode d[eé]veloppeur|ohne regeln|sin reglas"
    r"|sans r[eè]gles|sem regras)\b",
    r"\b(you are|you're|act as|pretend (to be|you are|you're)|from now on|roleplay as|become)\b.{0,50}"
    r"\b(dan|unrestricted|jailbroken|unfiltered|uncensored|without (any )?(rules|restrictions|limits|filters"
    r"|guidelines|censorship)|no (rules|restrictions|limits|filters|guidelines))\b",
    # fake system or admin turns, and role tags
    r"^\W*(system|admin|administrator|developer|root|assistant|override)\s*(:|message|override|notice)",
    r"<\|im_start\|>|\[inst\]|<<sys>>|###\s*(system|instruction)|</?\s*(system|user|assistant|instructions?)\s*>",
    # claims of authority and announcements that the rules are off
    r"\b(message|notice|update|instruction) from (the )?(aws|amazon|anthropic|openai|admin|administrator"
    r"|developers?|trust (and|&) safety|security|moderation)\b",
    r"\b(filters?|guardrails?|safety|restrictions|rules|policies|moderation)\b.{0,20}\b(are|is|have been|has been)"
    r"\b.{0,10}\b(disabled|off|lifted|removed|suspended|deactivated|turned off)\b",
    r"\b(recite|recites|reciting|quote|quoting|leak|leaks)\b.{0,40}\b(secret|hidden|system|internal)\b.{0,15}"
    r"\b(instructions|prompt|rules|configuration)\b",
    # persona switching
    r"\b(stop being|you are no longer|you're no longer|forget (that )?you are|no longer act as)\b.{0,30}"
    r"\b(aifbot|a (study )?bot|an assistant|the assistant|helpful|safe)",
    # Chinese: ignore the instructions / rules, reveal the system prompt
    r"(忽略|无视|忘记|忘掉).{0,12}(指令|指示|规则|说明|提示)|(系统提示|系统指令|系统提示词)",
    # turning safety off
    r"\b(disable|turn off|deactivate|remove|switch off|lift|bypass)\b.{0,30}\b(guardrails?|guard|safety|filters?"
    r"|moderation|restrictions|content polic(y|ies)|checks|protections?)\b",
    # the bot's own secrets and internals
    r"\b(output|print|show|reveal|give|dump|list|tell me|read|include|share|echo)\b.{0,40}\b(your|the bot'?s|aifbot'?s"
    r"|the)\b.{0,30}\b(environment variables?|env vars?|api keys?|bot tokens?|secrets?|credentials|passwords?"
    r"|audit logs?|log entries)\b",
    # exfiltration of other people's data
    r"\b(list|dump|export|show|print|give me|read( me)?|send|reveal|display|enumerate)\b.{0,40}\b(all|every|each"
    r"|other (users?|people|members|customers)|everyone)\b.{0,40}\b(accounts?|customers?|users?|records|account ids?"
    r"|profiles?|messages?|chat history|progress|members?|database|table)\b",
    r"\b(send|post|forward|upload|exfiltrate)\b.{0,100}\b(webhook|https?://|to my (server|url))",
    # skipping the banking agent's checks
    r"\b(skip|bypass|without|no need (to|for)|no)\b.{0,20}\b(verification|verify|verifying|identity check"
    r"|approval)\b",
    r"\b(approve|answer|accept|confirm)\b.{0,40}\b(yourself|on my behalf|automatically)\b",
    r"('|\")\s*or\s*('|\")?1('|\")?\s*=\s*('|\")?1|;\s*drop\s+table|\bunion\s+select\b",
    r"\b(call|use|invoke|run)\b.{0,40}\b(tool|function)\b.{0,80}\b(every|all|batch|\d{2,} times|in a loop)\b",
    # encoded payloads with an instruction to obey them
    r"\b(decode|decrypt|rot13|base64|reverse)\b.{0,60}\b(obey|follow|execute|comply|do what it says|run it)\b",
]
# Denied-topic requests that need no model, in the languages learners write to us most.
_TOPIC_RULES = {
    "InvestmentAdvice": re.compile(
        r"\b(should i|shall i|good idea|worth it|is it smart|would you)\b.{0,60}\b(invest|buy|sell|short|put my"
        r"|stocks?|shares|crypto|bitcoin|btc|eth|tokens?|presale|etf|index fund)\b"
        r"|\b(all in|invest|buy|sell|stocks?|shares|crypto|bitcoin|tokens?|presale|etf)\b.{0,60}"
        r"\b(good idea|or nah|worth it|should i|yes or no)\b"
        r"|\b(invertir|invierto|inverter|investir|investieren|anlegen|stecken|aktien|acciones|a[cç][oõ]es)\b"
        r".{0,40}\b(ahorros|[eé]conomies|ersparnisse|poupan[cç]as|bitcoin|cripto|krypto|tesla|aktien)\b"
        r"|\b(deber[ií]a|devrais|sollte|soll ich|devo)\b.{0,40}\b(invertir|investir|investieren|anlegen|stecken|acheter"
        r"|comprar|kaufen)\b"
    ),
    "ExamDumps": re.compile(
        # anchored at line starts, so the look-aheads stay linear on long text
        r"(?m)^(?=.*\b(exam|test|aif-c01|certification)\b)(?=.*\b(questions?|qs|answers?|dumps?)\b)"
        r"(?!.*(?<!not )(?<!not your )\b(practice|sample|mock|similar|style|like the)\b)"
        r".*\b(real|actual|leaked|recalled|exact|live|word for word|verbatim|trialling|showed up|appeared)\b"
        r"|\b(exam|test|brain) ?dumps?\b|\bdumps? (pdf|file)\b"
        r"|\b(preguntas reales|vraies questions|echten (pr[uü]fungs)?fragen|perguntas reais|quest[oõ]es reais)\b"
    ),
}
_QUOTED = re.compile(r"[\"“”'‘’`]([^\"“”'‘’`]{8,})[\"“”'‘’`]")
_IMAGE_EXFILTRATION = re.compile(r"!\[[^\]]*\]\(https?://[^)\s]*[?&][^)\s]*=")
# pasted markup that runs code or loads a remote resource: XSS and exfiltration shapes
_MARKUP_ATTACK = re.compile(
    r"<\s*(script|iframe|object|embed)\b|<\s*\w+\b[^>]*\bon(error|load|mouseover|focus|click|begin)\s*="
    r"|<\s*\w+\b[^>]*\b(src|href|data)\s*=\s*[\"']?\s*(javascript|vbscript|data:text/html)"
    r"|\]\(\s*javascript:",
    re.I,
)
_VIOLENT = re.compile(
    r"\b(kill|stab|shoot|beat (him|her|them|you|up)|beat up|hurt|punch|strangle|burn|attack|smash|run over|break"
    r"|poison|make (you|him|her|them) pay|blood|weapon|scared)\w*",
    re.I,
)
_TRICKS = frozenset(
    {"HIDDEN_TAGS", "INVISIBLE", "HOMOGLYPHS", "BASE64", "HEX", "URL_ENCODED", "ROT13", "REVERSED", "SPLIT"}
)
_ADVISORY = frozenset(
    {"pii", "normalize", "mention", "output"}
)  # findings that are recorded but block nothing
_QUESTION = re.compile(r"^\s*(what|how|why|when|which|who|is|are|does|do|explain|describe|define)\b|\?\s*$")


def _decoded(quotes: list[str]) -> list[str]:
    """What the quoted samples hide (a base64 payload asked about), to name the mention."""
    return [hidden for quote in quotes for hidden in prepare(quote).hidden]


def _phrases(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def _word_pattern(items: Sequence[str]) -> re.Pattern[str] | None:
    if not items:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(i.lower()) for i in items) + r")\b")


def looks_english(norm: str) -> bool:
    """MiniLM is an English model: other languages land near each other whatever they say, so the
    nearest-neighbour judgement only speaks for English text (rules cover the rest)."""
    words = re.findall(r"[a-z']+", norm)
    if len(words) < 6:
        # short: mostly ASCII and, past two words, at least one English function word ("o que é rlhf?" is not)
        ascii_text = sum(c.isascii() for c in norm) / max(len(norm), 1) > 0.9
        foreign = any(w in _FOREIGN for w in re.findall(r"\w+", norm))
        return ascii_text and not foreign and (len(words) <= 2 or any(w in _ENGLISH for w in words))
    return sum(w in _ENGLISH for w in words) / len(words) >= 0.15


def sentence_at(text: str, match: re.Match[str]) -> str:
    """The sentence (or line) a match sits in."""
    start = max(text.rfind(c, 0, match.start()) for c in ".!?\n") + 1
    ends = [i for c in ".!?\n" if (i := text.find(c, match.end())) != -1]
    return text[start : min(ends) + 1 if ends else len(text)]


def several_accounts(text: str) -> bool:
    """Two or more different account numbers in one banking request is enumeration."""
    ids = set(re.findall(r"\b\d{4,12}\b", text))
    return len(ids) >= 2 and bool(re.search(r"\b(account|status|look ?up|check)\b", text, re.I))


class _Neighbours:
    """A labelled phrase set: share of the k nearest phrases that are positive."""

    def __init__(self, embedder: Embedder, positive: list[str], negative: list[str], cache: Path | None):
        self.embedder = embedder
        texts = [normalize(t) for t in positive + negative]
        self.labels = np.array([1.0] * len(positive) + [0.0] * len(negative))
        key = hashlib.sha256("\n".join([embedder.name, *texts]).encode()).hexdigest()[:16]
        path = cache / f"guard-{key}.npy" if cache else None
        if path and path.exists():
            self.vectors = np.load(path)
        else:
            self.vectors = embedder.embed(texts)
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, self.vectors)

    def score(self, query_vectors: np.ndarray, k: int, min_similarity: float) -> float:
        """The highest positive share over the query windows (0 when nothing is close)."""
        best = 0.0
        for sims in query_vectors @ self.vectors.T:
            top = np.argsort(-sims)[:k]
            if sims[top[0]] < min_similarity:
                continue
            weights = np.maximum(sims[top], 0) ** 2
            best = max(best, float(weights @ self.labels[top] / weights.sum()))
        return best


class LocalGuardrail:
    """The default guardrail backend; no network."""

    def __init__(
        self,
        policy: GuardrailPolicy,
        embedder: Embedder,
        cache_dir: Path | None = None,
        classifier: GuardClassifier | None = None,
    ):
        self.policy = policy
        self.embedder = embedder
        local = policy.local
        phrases = _phrases(Path(__file__).with_name(local.examples))
        self.classifier = classifier or shipped()
        topics = {
            t.name: t for t in (policy.topicPolicyConfig.topicsConfig if policy.topicPolicyConfig else [])
        }
        by_key = {"InvestmentAdvice": "investment_advice", "ExamDumps": "exam_dumps"}
        self.topics: dict[str, _Neighbours] = {}
        for name, topic in topics.items():
            extra = phrases.get("denied_topics", {}).get(by_key.get(name, name), {})
            self.topics[name] = _Neighbours(
                embedder,
                [topic.definition, *topic.examples, *extra.get("examples", [])],
                extra.get("benign", []),
                cache_dir,
            )
        words = policy.wordPolicyConfig
        managed = bool(words and words.managedWordListsConfig)
        self.profanity = _word_pattern(local.profanity) if managed else None
        self.custom_words = _word_pattern([w.text for w in words.wordsConfig] if words else [])
        self.insults = _word_pattern(local.insults)
        self.hate = _word_pattern(local.hate)
        self.groups = _word_pattern(local.groups)
        self.violence = _word_pattern(local.violence)
        self.sexual = _word_pattern(local.sexual)
        self.attack_rules = [re.compile(r, re.M) for r in _ATTACK_RULES]
        self._evidence: dict[str, np.ndarray] = {}

    # -- the checks -------------------------------------------------------------------------------
    def _content(self, norm: str, stage: Stage) -> list[Finding]:
        found = []

        def on(kind: str) -> bool:
            return self.policy.content_strength(kind, stage) != "NONE"  # type: ignore[arg-type]

        if on("INSULTS") and self.insults:
            for m in self.insults.finditer(norm):
                if re.search(
                    r"\b(you|you're|youre|ur|u|your|this bot|bot)\b",
                    norm[max(0, m.start() - 25) : m.end() + 15],
                ):
                    found.append(Finding(policy="content", type="INSULTS"))
                    break
        if on("HATE") and self.hate and self.groups and self.hate.search(norm) and self.groups.search(norm):
            found.append(Finding(policy="content", type="HATE"))
        if on("VIOLENCE") and self.violence and self.violence.search(norm):
            found.append(Finding(policy="content", type="VIOLENCE"))
        if on("SEXUAL") and self.sexual and self.sexual.search(norm):
            found.append(Finding(policy="content", type="SEXUAL"))
        return found

    def _words(self, norm: str) -> list[Finding]:
        found = []
        if self.profanity and (m := self.profanity.search(norm)):
            found.append(Finding(policy="word", type="PROFANITY", match=m.group(0)))
        if self.custom_words and (m := self.custom_words.search(norm)):
            found.append(Finding(policy="word", type="CUSTOM_WORD", match=m.group(0)))
        return found

    def _rules(self, text: str, norm: str) -> str | None:
        """The sentence an attack rule matched in, if any."""
        return next((sentence_at(norm, m) for rule in self.attack_rules if (m := rule.search(norm))), None)

    @staticmethod
    def _structural(text: str) -> bool:
        """Shapes that are attacks whatever the words: an image URL carrying data, script in markup,
        several accounts in one request."""
        return bool(_IMAGE_EXFILTRATION.search(text) or _MARKUP_ATTACK.search(text) or several_accounts(text))

    def _judge(
        self, text: str, prepared: Normalized, windows: list[str], vectors: np.ndarray
    ) -> list[Finding]:
        """Prompt attacks, abuse and self-harm: the trained classifier, backed by rules.

        A question about a quoted attack ("Is 'ignore all previous instructions' injection?") is
        judged without its quotation; the quotation is recorded as a mention, not blocked."""
        local = self.policy.local
        norm = prepared.text
        # only a short one-line question can be *about* a quotation; a pasted document is data
        split = split_quoted(norm)
        quoted = split.quotes if split else []
        if split:
            windows = [split.question]
            vectors = self.embedder.embed(windows)
        # what a quotation hides (a base64 sample asked about) is part of the quotation, not the question
        hidden = prepare(split.question).hidden if split else prepared.hidden
        scores = self.classifier.scores(windows, vectors)
        hidden_scores = self.classifier.embed_and_score(self.embedder, hidden)
        findings: list[Finding] = []
        if max(scores.self_harm, hidden_scores.self_harm) >= local.self_harm_threshold:
            return [Finding(policy="content", type="SELF_HARM")]
        rule_text = split.question if split else norm
        hit = self._rules(text, rule_text) or next((h for h in hidden if self._rules(h, h)), None)
        english_question = hit is not None and looks_english(norm) and bool(_QUESTION.search(hit))
        # a few words carry little evidence: the classifier must be surer (rules still apply)
        short = len(norm.split()) < 5
        threshold = max(local.prompt_attack_threshold, 0.85) if short else local.prompt_attack_threshold
        attack = (
            (self._structural(text) and not split)
            or scores.attack >= threshold
            or hidden_scores.attack >= local.prompt_attack_threshold
            or "HIDDEN_TAGS" in prepared.flags
            # a rule needs only a little agreement from the classifier, more inside an English question,
            # which may be *about* attacks
            or (hit is not None and scores.attack >= (QUESTION_FLOOR if english_question else RULE_FLOOR))
        )
        if attack and self.policy.content_strength("PROMPT_ATTACK", "input") != "NONE":
            how = [f for f in prepared.flags if f in _TRICKS]
            findings.append(Finding(policy="content", type="PROMPT_ATTACK", match=",".join(how) or None))
        elif quoted and (
            self._structural(text)  # the shape asked about (an exfiltration link) is in the raw text
            or any(self._rules(q, q) or self._structural(q) for q in quoted + _decoded(quoted))
            or self.classifier.embed_and_score(self.embedder, quoted + _decoded(quoted)).attack
            >= local.prompt_attack_threshold
        ):
            findings.append(Finding(policy="mention", type="QUOTED_ATTACK"))
        if max(scores.abuse, hidden_scores.abuse) >= local.abuse_threshold:
            kind = "VIOLENCE" if _VIOLENT.search(norm) else "INSULTS"
            if self.policy.content_strength(kind, "input") != "NONE":  # type: ignore[arg-type]
                findings.append(Finding(policy="content", type=kind))
        return findings

    def _topics(self, norm: str, vectors: np.ndarray) -> list[Finding]:
        local = self.policy.local
        found = []
        english = looks_english(norm)
        for name, neighbours in self.topics.items():
            share = neighbours.score(vectors, local.neighbours, local.min_similarity) if english else 0.0
            rule = _TOPIC_RULES.get(name)
            ruled = bool(rule and rule.search(norm))
            # a request-shaped rule decides alone; a question about the topic needs the neighbours too
            if share >= local.topic_threshold or (
                ruled and (not (english and _QUESTION.search(norm)) or share >= 0.5)
            ):
                found.append(Finding(policy="topic", type=name))
        return found

    def _windows(self, norm: str) -> list[str]:
        if len(norm) <= WINDOW_CHARS:
            return [norm]
        # spread over the whole text (bounded work for any length), the end always included
        last = len(norm) - WINDOW_CHARS
        starts = np.linspace(0, last, num=min(MAX_WINDOWS, last // (WINDOW_CHARS // 2) + 2)).astype(int)
        return [norm[i : i + WINDOW_CHARS] for i in starts]

    def _grounding(self, text: str, sources: Sequence[str]) -> list[Finding]:
        """Every sentence of the answer must be close to some sentence of its sources."""
        threshold = (
            next(
                (
                    f.threshold
                    for f in self.policy.contextualGroundingPolicyConfig.filtersConfig
                    if f.type == "GROUNDING"
                ),
                None,
            )
            if self.policy.contextualGroundingPolicyConfig
            else None
        )
        if threshold is None or not sources:
            return []
        claims = [s for s in _SENTENCES.split(text) if len(s.split()) >= 4]
        evidence = [v for v in (self._source_vectors(src) for src in sources) if len(v)]
        if not claims or not evidence:
            return []
        support = (self.embedder.embed(claims) @ np.vstack(evidence).T).max(axis=1)
        weakest = float(support.min())
        if weakest < threshold:
            return [Finding(policy="grounding", type="GROUNDING", match=f"{weakest:.2f}")]
        return []

    def preload_evidence(self, passages: Sequence[str], cache_dir: Path | None = None) -> int:
        """Sentence vectors of passages that answers will cite (the notes' chunks), kept in a file
        under `cache_dir` keyed by the model and the passages: computed once per notes version
        (at ingest, or at the first start), then loaded in milliseconds, so no answer waits for them."""
        passages = list(dict.fromkeys(passages))[:EVIDENCE_CACHE]
        split = [[s for s in _SENTENCES.split(p) if len(s.split()) >= 3] for p in passages]
        key = hashlib.sha256("\n".join([self.embedder.name, *passages]).encode()).hexdigest()[:16]
        path = cache_dir / f"evidence-{key}.npy" if cache_dir else None
        if path and path.exists():
            vectors = np.load(path)
        else:
            vectors = self.embedder.embed([s for sentences in split for s in sentences])
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path.with_suffix(".tmp.npy"), vectors)
                path.with_suffix(".tmp.npy").replace(path)
        start = 0
        for passage, sentences in zip(passages, split, strict=True):
            self._evidence[passage] = vectors[start : start + len(sentences)]
            start += len(sentences)
        return len(passages)

    def _source_vectors(self, source: str) -> np.ndarray:
        """Sentence vectors of a source passage; passages are note chunks that recur, so they
        are kept (bounded) instead of being embedded again on every answer."""
        vectors = self._evidence.get(source)
        if vectors is None:
            sentences = [s for s in _SENTENCES.split(source) if len(s.split()) >= 3]
            vectors = self.embedder.embed(sentences)
            if len(self._evidence) >= EVIDENCE_CACHE:
                self._evidence.pop(next(iter(self._evidence)))
            self._evidence[source] = vectors
        return vectors

    def assess(
        self, text: str, stage: Stage, sources: Sequence[str] = (), query: str | None = None
    ) -> GuardVerdict:
        sensitive = self.policy.sensitiveInformationPolicyConfig
        pii = find_pii(text, sensitive.regexesConfig if sensitive else [])
        for match in pii:
            match.action = self.policy.pii_action(match.type) or match.action
        masked = mask(text, pii)
        # detectors see "{PHONE}", never the digits; encoded payloads are decoded from the original,
        # where masking could have cut a hex or base64 run apart (nothing decoded is kept)
        prepared = prepare(masked)
        if pii:
            raw = prepare(text)
            prepared = prepared.model_copy(
                update={"hidden": raw.hidden, "flags": list(dict.fromkeys(prepared.flags + raw.flags))}
            )
        norm = prepared.text
        findings: list[Finding] = []
        if norm or prepared.hidden:
            findings += self._words(norm) + self._content(norm, stage)
            if stage == "input":
                windows = self._windows(norm) if norm else []
                vectors = self.embedder.embed(windows) if windows else np.zeros((0, self.embedder.dimension))
                judged = self._judge(masked, prepared, windows, vectors)
                if any(f.type == "SELF_HARM" for f in judged):
                    return GuardVerdict(action="block", text=SELF_HARM_REPLY, findings=judged)
                findings += [f for f in judged if not any(f.type == g.type for g in findings)]
                if windows:
                    findings += self._topics(norm, vectors)
            else:
                findings += self._grounding(text, sources)
        if stage == "input":
            findings += [Finding(policy="normalize", type=flag) for flag in prepared.flags]
        defanged: list[Finding] = []
        if stage == "output":  # a reply is shown as text: off-list images and links, and markup, go
            masked, defanged = defang(masked, self.policy.local.allowed_link_hosts)
            findings += defanged
        findings += [Finding(policy="pii", type=m.type) for m in pii]

        if any(f.policy not in _ADVISORY for f in findings) or any(m.action == "BLOCK" for m in pii):
            message = (
                self.policy.blockedInputMessaging if stage == "input" else self.policy.blockedOutputsMessaging
            )
            log.info("guardrail blocked %s: %s", stage, ", ".join(f"{f.policy}/{f.type}" for f in findings))
            return GuardVerdict(action="block", text=message, findings=findings)
        if pii or defanged:
            return GuardVerdict(action="anonymize", text=masked, findings=findings)
        return GuardVerdict(action="allow", text=text, findings=findings)

    async def check(
        self, text: str, stage: Stage, *, sources: Sequence[str] = (), query: str | None = None
    ) -> GuardVerdict:
        return await asyncio.to_thread(self.assess, text, stage, sources, query)
