"""From a taken-apart question to a composed answer: find the sections, then let the composer
quote them. Pure and synchronous (retrieval included), so the node runs it in a thread."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from agents.tutor import composer
from agents.tutor.composer import Composed, terms
from agents.tutor.intents import Question
from agents.tutor.library import Library, SectionInfo
from agents.tutor.spelling import Speller
from agents.tutor.summaries import summary_answer
from knowledge.retriever import HybridRetriever, Passage

MIN_SIMILARITY = 0.30  # below this the best passage is about something else
SIDE_MIN_SIMILARITY = 0.2
CANDIDATES = 5
SCENARIO_CANDIDATES = 8
SCENARIO_SPREAD = 0.2  # candidates this close to the best meaning match are ranked by the stem's needs
SCENARIO_MEANING = 6.0  # weight of the meaning match beside the need words
SCENARIO_PRODUCT = 2.0  # "which service": a product section over a concept section
SCENARIO_CUE_WORDS = 60  # a section's cue words beyond this dilute each match


@dataclass
class Memory:
    """What the tutor remembers of the conversation between turns."""

    question: Question | None = None
    focus: list[str] = field(default_factory=list)  # sections of the last answer, first = main
    shown: dict[str, list[int]] = field(default_factory=dict)
    last_answer: str = ""
    last_query: str | None = None
    earlier: str | None = None  # the topic before the last one, for "compare them"


@dataclass
class Outcome:
    composed: Composed | None
    query: str
    nearest: list[str] = field(default_factory=list)  # titles to offer when nothing fits
    corrections: list[tuple[str, str]] = field(default_factory=list)


_VENDOR = frozenset({"amazon", "aws"})
_ASKS_SERVICE = re.compile(
    r"\b(?:which|what)\b.*\b(?:aws )?(?:service|tool|capability|product|offering|hardware|feature|option)\b",
    re.I,
)
# words every scenario stem has, which say nothing about which topic answers it
_SCENARIO_CHATTER = re.compile(
    r"\b(compan\w*|organi[sz]ations?|business\w*|teams?|wants?|needs?|should|which|what|aws|amazon|"
    r"services?|solutions?|options?|meet|requirements?|best|most|fit\w*|approach|use|using|help\w*|"
    r"application|app|customers?|users?|data|model|models|they|their|its|it|about|let|lets|allows?|way|ways"
    r"|able|quickly|easily|also|just|new|own|each|has|have|had|next|without|while)\b",
    re.I,
)
_PRODUCT = re.compile(r"^(?:Amazon|AWS)\b|\bSageMaker\b|^Guardrails\b", re.I)


def relevant(passages: list[Passage], floor: float = MIN_SIMILARITY) -> list[Passage]:
    """The candidates close enough in meaning, in fused order; the fused first may sit a little
    below the floor when a later one is clearly on topic ("what are hallucinations")."""
    best = max((p.similarity for p in passages[:CANDIDATES]), default=0.0)
    if best < floor:
        return []
    cut = max(floor - 0.05, best - 0.2)
    return [p for p in passages[:CANDIDATES] if p.similarity >= cut][:3]


class Tutor:
    """Answers from one library with one retriever; cheap to build per turn."""

    def __init__(self, retriever: HybridRetriever, library: Library, speller: Speller) -> None:
        self.retriever = retriever
        self.library = library
        self.speller = speller

    # -- finding sections ---------------------------------------------------------------------
    def search(self, text: str, k: int = CANDIDATES) -> tuple[list[Passage], str, list[tuple[str, str]]]:
        query, changes = self.speller.normalise(text)
        return self.retriever.search(query, k).passages, query, changes

    def section(self, section_id: str) -> SectionInfo | None:
        return self.library.sections.get(section_id)

    def side(self, name: str, context: frozenset[str] = frozenset()) -> SectionInfo | None:
        """The section a comparison side names: a heading naming it beats a better-scored passage."""
        exact = self._heading(name)
        if exact:  # "lex" is the section headed "Amazon Lex", wherever search ranks it
            return self.section(exact)
        passages, _, _ = self.search(name, k=6)
        passages = [p for p in passages if p.similarity >= SIDE_MIN_SIMILARITY] or passages[:1]
        named = self._titled(passages, name, floor=SIDE_MIN_SIMILARITY, context=context)
        if named is not None:  # unstemmed words: "transformers" is not "AWS Transform"
            return self.section(named.section)
        normalised = self.speller.normalise(name)[0]
        wanted, plain = terms(normalised), plain_words(normalised)
        for p in passages:
            if wanted and wanted <= terms(p.title) and plain <= plain_words(p.title):
                return self.section(p.section)
        return self.section(passages[0].section) if passages else None

    # -- answering ----------------------------------------------------------------------------
    def answer(self, text: str, question: Question, memory: Memory) -> Outcome:
        if question.intent == "summary" and (question.domain or question.task):
            composed = Composed(text="")
            composed.text = summary_answer(self.library, question.domain, question.task, composed)
            return Outcome(composed if composed.sections else None, text)
        if question.intent == "more":
            return self._more(memory, text)
        if question.intent in ("comparison", "which") and len(question.sides) == 2:
            outcome = self._compare(text, question)
            if outcome is not None:
                return outcome
        if question.intent == "scenario":
            return self._scenario(text)
        return self._single(text, question, memory)

    def _more(self, memory: Memory, text: str) -> Outcome:
        info = self.section(memory.focus[0]) if memory.focus else None
        if info is None:
            return Outcome(None, text)
        composed = Composed(text="")
        body = composer.more_answer(info, memory.shown, composed)
        if body is None:
            composed.sections, composed.shown = [], dict(memory.shown)
            related = self._related(info)
            n = composed.cite(info.id)
            composed.text = f"That's everything the notes have on **{info.title}** [{n}]." + (
                f" Related topics: {', '.join(related)}." if related else ""
            )
            composed.covered = False
            return Outcome(composed, text)
        composed.text = body
        return Outcome(composed, text)

    def _related(self, info: SectionInfo) -> list[str]:
        passages, _, _ = self.search(info.title, k=4)
        return [p.title for p in passages if p.section != info.id][:3]

    def _compare(self, text: str, question: Question) -> Outcome | None:
        names = list(question.sides)
        a = self.side(names[0])
        # an ambiguous side is read in the other's context: "knowledge bases vs agents" means
        # Bedrock's agents, beside Bedrock Knowledge Bases
        b = self.side(names[1], context=plain_words(a.title) if a else frozenset())
        if a is None or b is None:
            return None
        # both sides named in one heading ("IAM users, groups, roles and policies"): one section
        if _words_in(names[1], a.title):
            b = a
        elif _words_in(names[0], b.title):
            a = b
        composed = Composed(text="")
        if question.intent == "which" and a.id != b.id:
            need = question.need or _need_words(text, question.sides)
            composed.text = composer.which_answer(a, b, need, composed)
        else:
            composed.text = composer.comparison_answer(a, b, names, composed)
        return Outcome(composed, text)

    def _scenario(self, text: str) -> Outcome:
        passages, query, changes = self.search(text, k=SCENARIO_CANDIDATES)
        found = relevant(passages, floor=MIN_SIMILARITY - 0.05)
        if not found:
            return Outcome(None, query, [p.title for p in passages[:3]], changes)
        info = self._scenario_pick(text, passages)
        if info is None:
            return Outcome(None, query)
        composed = Composed(text="")
        composed.text = composer.scenario_answer(info, text, composed)
        return Outcome(composed, query, corrections=changes)

    def _scenario_pick(self, text: str, passages: list[Passage]) -> SectionInfo | None:
        """The candidate that answers the stem, by a score: the stem's need words (weighted by how
        rare they are in the notes) found in each section's "when to pick it" cues, keywords and
        heading count most, its lead next, its meaning match a little. A service the stem already
        names is context, not the answer ("… who called the Bedrock API …"); when a service is
        asked for, a product section beats a concept section."""
        best = max((p.similarity for p in passages), default=0.0)
        pool = [p for p in passages if p.similarity >= best - SCENARIO_SPREAD]
        ids = list(dict.fromkeys(p.section for p in pool))
        infos = [s for i in ids if (s := self.section(i))]
        if not infos:
            return None
        fresh = [s for s in infos if not _named_in(s.title, text)]
        infos = fresh or infos
        need = terms(_SCENARIO_CHATTER.sub(" ", text))
        similarity = {p.section: p.similarity for p in pool}
        asks_service = bool(_ASKS_SERVICE.search(text))
        weight = self._rarity()

        def score(rank: int, info: SectionInfo) -> float:
            cues = terms(info.title + " " + info.keywords + " " + composer.cue_text(info))
            lead = info.parts.lead
            core = terms(lead.text) if lead else set()
            # a long keyword list matches anything a little: matches count less the more it lists
            value = sum(weight.get(t, 1.0) for t in need & cues) / math.sqrt(
                1 + len(cues) / SCENARIO_CUE_WORDS
            )
            value += 0.5 * sum(weight.get(t, 1.0) for t in (need & core) - cues)
            value += SCENARIO_MEANING * similarity.get(info.id, 0.0) - 0.3 * rank
            if asks_service and _PRODUCT.search(info.title):
                value += SCENARIO_PRODUCT
            return value

        ranked = sorted(enumerate(infos), key=lambda item: -score(*item))
        return ranked[0][1]

    def _rarity(self) -> dict[str, float]:
        """How telling each stemmed word is: rare words of the notes weigh more than common ones."""
        if self.library.rarity is None:
            vocabulary = [(w, n) for w, n in self.library.vocabulary.items() if w not in composer._STOP]
            total = sum(self.library.vocabulary.values()) or 1
            stems: dict[str, int] = {}
            for stem, (_, count) in zip(
                composer.stem_words([w for w, _ in vocabulary]), vocabulary, strict=True
            ):
                stems[stem] = stems.get(stem, 0) + count
            self.library.rarity = {t: min(3.0, max(0.3, math.log(total / n) / 5)) for t, n in stems.items()}
        return self.library.rarity

    def _single(self, text: str, question: Question, memory: Memory) -> Outcome:
        same_topic = (
            question.follow_up
            and memory.focus
            and (
                not question.subject
                or (memory.question and question.subject == memory.question.subject)
                or (memory.question and question.subject in memory.question.sides)
            )
        )
        search_text = text if not question.follow_up else (question.subject or text)
        if question.follow_up and question.intent in ("pricing", "limits", "example", "how", "when"):
            search_text = f"{question.subject} {text}"
        elif question.intent == "limits" and not _INTENT_HEADINGS["limits"].search(text):
            # "downsides", "cons", "what can't it do": the notes head such sections "limitations"
            search_text = f"{text} (limitations)"
        passages, query, changes = self.search(search_text)
        found = relevant(passages)
        named = self._titled(passages, question.subject)
        if named is not None and found:
            found = [named, *[p for p in found if p is not named]]
        exact = self._heading(question.subject)
        if exact and (not found or found[0].section != exact):
            # "bedrock?" is about the section headed "Amazon Bedrock", wherever search ranked it
            found = [p for p in found if p.section != exact]
            found.insert(
                0,
                Passage(
                    id=exact,
                    source="",
                    section=exact,
                    title=self.library.sections[exact].title,
                    text="",
                    score=0.0,
                    similarity=1.0,
                ),
            )
        infos: list[SectionInfo] = []
        if same_topic:
            focus = self.section(memory.focus[0])
            if question.sides and memory.question and question.subject in memory.question.sides:
                focus = self.side(question.subject) or focus
            infos.append(focus) if focus else None
        infos += [s for p in found if (s := self.section(p.section)) and s not in infos]
        if not infos and (named := self._titled(passages, question.subject, floor=0.15)) is not None:
            # a heading naming the topic outright rescues a weak meaning match ("why use lora")
            infos = [s for s in [self.section(named.section)] if s]
        if not infos and len(question.subject) >= 3:
            # so does the topic's exact name in a candidate's text ("k-means" in a table row)
            phrase = re.compile(rf"(?<![\w-]){re.escape(question.subject.lower())}(?![\w-])")
            infos = [s for p in passages if (s := self.section(p.section)) and phrase.search(s.body.lower())][
                :1
            ]
        if not infos and question.intent != "definition":
            # "how does RAG reduce hallucinations": the question words blur the meaning match, but
            # a part of the subject is a heading's very name
            named_part = self._heading_within(question.subject)
            if named_part is not None:
                infos = [named_part]
        if infos and not same_topic and not self._about(infos[0], question.subject, found):
            infos = []  # "Ground Station" is not "Ground Truth": most of the topic's words must be there
        if not infos:
            return Outcome(None, query, [p.title for p in passages[:3]], changes)
        info = infos[0]
        exclude = memory.shown if question.follow_up else {}
        if question.intent in ("pricing", "limits", "how", "when", "example"):
            info = self._serving_section(infos, question, exclude)
        composed = Composed(text="")
        composed.text = composer.section_answer(info, question, composed, exclude=exclude, query=text)
        if not composed.text.removesuffix(composer.MORE_OFFER).strip():
            composed = Composed(text="")  # everything was shown already: say so, offer the neighbours
            related = self._related(info)
            composed.text = (
                f"That's everything the notes have on **{info.title}** [{composed.cite(info.id)}]."
                + (f" Related topics: {', '.join(related)}." if related else "")
            )
        elif composer.words(composed.text) < composer.MIN_WORDS and question.intent in ("definition", "how"):
            for other in infos[1:2]:  # a short section: the next one's definition beside it
                lead = other.parts.lead
                seen = lead is not None and lead.index in exclude.get(other.id, [])
                if lead and not seen and lead.words <= composer.MAX_WORDS - composer.words(composed.text):
                    n = composed.cite(other.id)
                    composed.mark(other.id, lead)
                    body = composed.text.removesuffix(f"\n\n{composer.MORE_OFFER}")  # the node offers it
                    composed.text = f"{body}\n\nSee also **{other.title}**: {lead.text} [{n}]"
        if memory.last_answer and _same(composed.text, memory.last_answer):
            # a follow-up never gets the previous answer again: what the notes have besides it
            composed = Composed(text="")
            body = composer.more_answer(info, memory.shown, composed)
            composed.text = (
                body or f"That's all the notes have on **{info.title}** [{composed.cite(info.id)}]."
            )
        return Outcome(composed, query, corrections=changes)

    def _heading(self, subject: str) -> str | None:
        """The section whose heading is exactly the subject (acronyms and 'Amazon' aside)."""
        if self.library.titles is None:
            titles: dict[frozenset[str], str] = {}
            for info in self.library.sections.values():
                plain = re.sub(r"\(([^)]*)\)", " ", info.title)
                inside = [
                    w for a in re.findall(r"\(([^)]{2,30})\)", info.title) for w in re.split(r",|/| and ", a)
                ]
                for words in (plain, *inside):
                    key = plain_words(words)
                    if key:
                        titles.setdefault(key, info.id)
            self.library.titles = titles
        for wanted in (plain_words(subject), plain_words(self.speller.expand(subject)[len(subject) :])):
            if wanted and len(wanted) <= 5 and wanted in self.library.titles:
                return self.library.titles[wanted]
        return None

    def _heading_within(self, subject: str) -> SectionInfo | None:
        """The section whose heading is exactly some run of the subject's words, longest first."""
        tokens = subject.split()
        for size in range(min(3, len(tokens) - 1), 0, -1):
            for start in range(len(tokens) - size + 1):
                phrase = " ".join(tokens[start : start + size])
                if len(phrase) >= 3 and (found := self._heading(phrase)):
                    return self.section(found)
        return None

    def _about(self, info: SectionInfo, subject: str, found: list[Passage]) -> bool:
        """Whether a section is about the subject: most of its words appear in the section, or the
        meaning match is strong."""
        wanted = terms(subject)
        if len(wanted) < 2 or any(p.section == info.id and p.similarity >= 0.55 for p in found):
            return True
        known = {w for w in wanted if w in self.speller.known_stems}
        if len(known) * 2 < len(wanted):
            wanted = known  # mostly words the notes never use (another language): judge by the rest
            if not wanted:
                return True
        have = section_terms(info)
        expanded = terms(self.speller.expand(subject)) - wanted
        shared = wanted & have
        # half the topic's words, or two of them with one in the heading (a pasted snippet's names)
        return (
            len(shared) * 2 >= len(wanted)
            or bool(expanded and expanded <= have)
            or (len(shared) >= 2 and bool(shared & terms(info.title)))
        )

    def _titled(
        self,
        passages: list[Passage],
        subject: str,
        floor: float = MIN_SIMILARITY - 0.05,
        context: frozenset[str] = frozenset(),
    ) -> Passage | None:
        """Among the candidates, the first whose heading names the whole subject: "temperature"
        is answered by "Temperature, top-p and top-k compared", not by a section that uses it."""
        wanted = terms(self.speller.expand(subject)) if subject else set()
        wanted_plain = terms(subject)
        if not wanted_plain or len(wanted_plain) > 6:
            return None
        wanted = wanted | wanted_plain
        spelled = plain_words(self.speller.expand(subject)[len(subject) :])  # "q biz" → "amazon q business"
        named = []
        for rank, p in enumerate(passages):
            if p.similarity < floor:
                continue
            title = terms(p.title + " " + p.section.replace("-", " "))
            words = plain_words(p.title + " " + p.section.replace("-", " "))
            # unstemmed words must match too: "transformers" is not "AWS Transform"
            if (wanted_plain <= title or wanted <= title) and (
                plain_words(subject) <= words or (spelled and spelled <= words)
            ):
                # the heading that is most nearly just the subject: "Hallucinations in generative
                # AI" over "Detecting hallucinations in production", "Retrieval-augmented generation
                # (RAG)" over "RAG vs fine-tuning"
                first = next(iter(terms(p.title.split()[0])), "") if p.title.split() else ""
                comparing = bool(re.search(r"\b(vs\.?|versus|compared)\b", p.title, re.I))
                extra = len(terms(p.title) - wanted) + 2 * comparing + 2 * (first not in wanted)
                extra -= bool((words - plain_words(subject)) & context)  # shares the other side's words
                named.append((extra, rank, p))
        return min(named, key=lambda item: item[:2])[2] if named else None

    def _serving_section(
        self, infos: list[SectionInfo], question: Question, shown: dict[str, list[int]]
    ) -> SectionInfo:
        """For 'how is it priced?' and the like: the first section that has such a part and is about
        the subject; the main section when none has. An example the learner has already seen
        gives way to another section's example about the same subject."""
        subject = terms(question.subject)
        if question.intent == "example" and shown:
            fresh = [
                info
                for info in infos
                if any(p.index not in shown.get(info.id, []) for p in info.parts.of("example"))
                and (not subject or subject <= section_terms(info))
            ]
            if fresh:
                return fresh[0]
        heading = _INTENT_HEADINGS.get(question.intent)
        if heading is not None:
            # a section about pricing (limits, …) that names the subject beats a passing mention
            priced = [
                info
                for info in infos
                if heading.search(info.title)
                and (
                    not subject
                    or subject
                    & terms(info.title + " " + info.parts.lead.text if info.parts.lead else info.title)
                    # "how much does fine-tuning cost": a cost section whose parts discuss it
                    or (question.follow_up and subject <= section_terms(info))
                )
            ]
            if priced:
                return priced[0]
        # a section whose heading names the subject ("Transformers and the attention mechanism")
        # serves it before another that merely shares a stem ("AWS Transform … how it works")
        wanted = plain_words(question.subject)
        named = [info for info in infos if wanted and wanted <= plain_words(info.title)]
        # for how / when, another section's part must speak to the subject at least as fully as the
        # main section does, or the main section's own words serve better ("k-fold cross validation"
        # is in the data-sets section, not in overfitting's "how to recognise it")
        base = len(subject & section_terms(infos[0])) if question.intent in ("how", "when") else 0
        if base and named and named[0] is infos[0]:
            # "how does prompt injection work" is answered by "Prompt injection attacks" (its
            # definition says how), not by a how-to part of "Defending … against prompt injection"
            return infos[0]
        for info in named or infos:
            serving = (
                composer._serving(info, question.intent, question.subject)
                if question.intent != "example"
                else info.parts.of("example")
            )
            if not serving:
                continue
            body = terms(info.title + " " + " ".join(p.text for p in serving))
            if info is infos[0] or not subject or len(subject & body) >= max(1, len(subject) // 2, base):
                return info
        return named[0] if named else infos[0]


def plain_words(text: str) -> frozenset[str]:
    """A heading's words, lower case, plural 's' dropped, but not stemmed: "transformers" must not
    name the section "AWS Transform"."""
    words = re.findall(r"[a-z0-9][a-z0-9-]*", text.lower())
    return frozenset(
        w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in composer._STOP
    )


def _named_in(title: str, text: str) -> bool:
    """Whether a stem already names a section's topic, word for word: its heading (the vendor
    aside) or the short name in its brackets ("... which IAM user ..." names "AWS Identity and
    Access Management (IAM)"). Words of the heading scattered through the stem ("store and reuse
    features") are a need, not a name."""
    plain = re.sub(r"\s*\(.*?\)\s*", " ", title)
    names = [
        re.sub(r"^(?:amazon|aws)\s+", "", plain.strip(), flags=re.I),
        *re.findall(r"\(([^)]{2,12})\)", title),
    ]
    for name in names:
        words = [re.escape(w) for w in name.split()]
        if words and re.search(r"(?<![\w-])" + r"s?\s+".join(words) + r"s?(?![\w-])", text, re.I):
            return True
    return False


_ARTICLES = frozenset({"the", "a", "an", "and", "of", "or", "vs"})


def _words_in(name: str, title: str) -> bool:
    """Whether every word of a name is in a heading, as typed (plural 's' aside): "interface
    endpoints" is in "VPC gateway endpoints vs interface endpoints"; "service cards" is not in
    "Amazon SageMaker Model Cards"."""

    def plain(text: str) -> set[str]:
        found = re.findall(r"[a-z0-9][a-z0-9-]*", text.lower())
        return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in found} - _ARTICLES - _VENDOR

    wanted = plain(name)
    return bool(wanted) and wanted <= plain(title)


def section_terms(info: SectionInfo) -> set[str]:
    """Every stemmed word of a section, computed once per section."""
    if info.terms is None:
        body = " ".join(p.text for p in info.parts.parts)
        info.terms = terms(f"{info.title} {body} {info.keywords}")
    return info.terms


_INTENT_HEADINGS = {
    "pricing": re.compile(r"pric|cost|billing|budget", re.I),
    "limits": re.compile(r"limit|risk|challenge|drawback|disadvantage|trade-off", re.I),
    "when": re.compile(r"\bwhen\b|choos|use cases", re.I),
}


def _same(a: str, b: str) -> bool:
    norm = lambda s: re.sub(r"\W+", " ", s).strip().lower()  # noqa: E731
    return norm(a) == norm(b) or (len(norm(a)) > 40 and norm(a) in norm(b))


def _need_words(text: str, sides: list[str]) -> str:
    need = text
    for side in sides:
        need = re.sub(re.escape(side), " ", need, flags=re.I)
    need = re.sub(
        r"\b(should|i|we|use|pick|choose|which|one|or|is|better|the|a|an|to|what)\b", " ", need, flags=re.I
    )
    return " ".join(re.sub(r"[?:,]", " ", need).split())
