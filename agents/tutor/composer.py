"""The offline answer, composed from whole parts of the notes' sections.

Every answer leads with what the question asks for (the defining paragraph for "what is", both
sides for a comparison, the pick for "which one"), then adds parts that serve the question, each
quoted whole, until the answer fills a chat message (about 80–250 words). What is left of the
section is offered with "more"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from agents.tutor.intents import Question
from agents.tutor.library import SectionInfo
from agents.tutor.structure import Part, first_sentence, sentences

MIN_WORDS = 80
TARGET_WORDS = 170  # stop adding parts past this
MAX_WORDS = 250
SIDE_LEAD_WORDS = 75  # each side of a comparison: its lead, or its first sentences up to this

_stemmer = Stemmer.Stemmer("english")
_WORD = re.compile(r"\w[\w-]*")
_STOP_WORDS = """
aws amazon use using used service services company want wants needs need which should what how why
when who whom whose does do did explain tell me give show difference differences vs versus between
mean means meaning define definition example examples please simple simpler plain english
"""
_STOP = frozenset(STOPWORDS_EN) | frozenset(_STOP_WORDS.split())
MORE_OFFER = "Say **more** for the rest of this section."


def words(text: str) -> int:
    return len(text.split())


def stem_words(words_: list[str]) -> list[str]:
    """Many words stemmed in one call (the notes' whole vocabulary, once)."""
    return list(_stemmer.stemWords(words_))


def terms(text: str) -> set[str]:
    return set(_stemmer.stemWords([w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1]))


@dataclass
class Composed:
    """An answer and what it used: cited sections in citation order, parts shown per section."""

    text: str
    sections: list[str] = field(default_factory=list)
    shown: dict[str, list[int]] = field(default_factory=dict)
    covered: bool = True  # False when the notes don't cover what was asked (said in the text)

    def cite(self, section: str) -> int:
        if section not in self.sections:
            self.sections.append(section)
        return self.sections.index(section) + 1

    def mark(self, section: str, part: Part) -> None:
        shown = self.shown.setdefault(section, [])
        if part.index not in shown:
            shown.append(part.index)


def with_citation(part_text: str, n: int) -> str:
    """A part with its citation: after a paragraph's last word; after a list's last item; on its
    own line after a table or code block, where it would break the markup."""
    text = part_text.rstrip()
    if text.endswith("|") or text.endswith("```"):
        return f"{text}\n\n[{n}]"
    return f"{text} [{n}]"


def trimmed_lead(text: str, limit: int) -> str:
    """A paragraph's first whole sentences up to `limit` words, emphasis kept balanced."""
    if words(text) <= limit:
        return text
    kept: list[str] = []
    for sentence in sentences(text):
        if kept and words(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    result = " ".join(kept)
    return result.replace("**", "") if result.count("**") % 2 else result


def _relevance(part: Part, wanted: set[str]) -> int:
    return len(wanted & terms(part.text)) if wanted else 0


def fill(
    answer: Composed,
    info: SectionInfo,
    chosen: list[Part],
    candidates: list[Part],
    *,
    target: int = TARGET_WORDS,
    limit: int = MAX_WORDS,
    used: int = 0,
) -> list[Part]:
    """`chosen` plus candidates, in the order given, while they fit; whole parts only."""
    total = used + sum(p.words for p in chosen)
    picked = list(chosen)
    for part in candidates:
        if total >= target:
            break
        if part in picked or total + part.words > limit:
            continue
        picked.append(part)
        total += part.words
    return picked


def render(answer: Composed, info: SectionInfo, parts: list[Part]) -> str:
    """Parts in the section's own order, each cited; the lead is always first."""
    n = answer.cite(info.id)
    ordered = sorted(parts, key=lambda p: p.index)
    for part in ordered:
        answer.mark(info.id, part)
    return "\n\n".join(with_citation(p.text, n) for p in ordered)


def remaining(info: SectionInfo, shown: dict[str, list[int]]) -> list[Part]:
    seen = set(shown.get(info.id, []))
    return [p for p in info.parts.parts if p.index not in seen]


def _offer_more(answer: Composed, info: SectionInfo, text: str) -> str:
    if remaining(info, answer.shown):
        return f"{text}\n\n{MORE_OFFER}"
    return text


# -- one section ----------------------------------------------------------------------------------
_PRIORITY = {
    "definition": ("list", "table", "example", "contrast", "paragraph", "tip"),
    "how": ("list", "table", "paragraph", "example", "tip", "contrast"),
    "when": ("contrast", "tip", "example", "list", "table", "paragraph"),
    "limits": ("paragraph", "list", "contrast", "tip", "example", "table"),
    "example": ("example",),
}
_TOPIC_OF = {"how": "how", "when": "when", "limits": "limits", "pricing": "pricing"}
_LIMIT_WORDS = re.compile(
    r"\b(limit\w*|cannot|can't|does not|doesn't|drawback\w*|downside\w*|risk\w*|trade-?off\w*|costs? extra|"
    r"slow\w*|expensive|only|weakness\w*|hallucinat\w*|requires?)\b",
    re.I,
)
_HOW_WORDS = re.compile(r"\b(steps?|first|then|works?|process|pipeline|stage\w*|how)\b", re.I)
_MECHANISM = re.compile(
    r"\b(works? by|under the hood|step by step|in practice|the process|mechanism|at each step"
    r"|first\b.*\bthen)\b",
    re.I,
)
# "how do I fix it", "how to prevent overfitting": the part that says how to fix, reduce or prevent
_FIX_ASK = re.compile(
    r"\b(fix\w*|solve|prevent\w*|avoid\w*|reduc\w*|mitigat\w*|deal with|handle|address|stop|cure|overcome"
    r"|get rid of|combat|defend|protect against)\b",
    re.I,
)
_FIX_PART = re.compile(
    r"^\W*(?:ways to|how to (?:fix|reduce|prevent|avoid|mitigate|improve|handle|defend)|fix(?:es|ing)?\b"
    r"|remed\w*|mitigat\w*|prevent\w*|reduc\w*|solutions?\b|countermeasures?|defen[cs]es?"
    r"|best practices|controls?\b)",
    re.I,
)
_WHEN_WORDS = re.compile(
    r"\b(when to|pick|choose|best for|suits?|use it|exam wording|scenario|optimi[sz]e for"
    r"|prefer\w* when)\b|→",
    re.I,
)


def _serving(info: SectionInfo, intent: str, query: str = "") -> list[Part]:
    """The parts of a section that answer this kind of question, best first."""
    parts = info.parts.parts
    topic = _TOPIC_OF.get(intent)
    labelled = info.parts.about(topic) if topic else []
    if intent == "how" and _FIX_ASK.search(query):
        fixes = [p for p in parts if p.kind != "lead" and _FIX_PART.search(p.label or p.text[:60])]
        labelled = fixes + [p for p in labelled if p not in fixes]
    if intent == "limits":
        labelled += [
            p for p in parts if p not in labelled and p.kind != "lead" and _LIMIT_WORDS.search(p.text[:80])
        ]
    elif intent == "how":
        labelled += [
            p
            for p in parts
            if p not in labelled and p.kind in ("list", "table") and _HOW_WORDS.search(p.text[:120])
        ]
        labelled += [  # a paragraph that explains the mechanism ("it works by …")
            p for p in parts if p not in labelled and p.kind == "paragraph" and _MECHANISM.search(p.text)
        ]
    elif intent == "when":
        labelled += [
            p for p in parts if p not in labelled and p.kind != "lead" and _WHEN_WORDS.search(p.text)
        ]
    return labelled


def cue_text(info: SectionInfo) -> str:
    """What a section says about when it is the answer: its "when to pick it" parts and exam tips."""
    cues = [p for p in _serving(info, "when") if p.kind != "lead"] + info.parts.of("tip")
    return " ".join(dict.fromkeys(p.text for p in cues))


def section_answer(
    info: SectionInfo,
    question: Question,
    answer: Composed,
    *,
    exclude: dict[str, list[int]] | None = None,
    query: str = "",
) -> str:
    """One section answering a definition / how / when / limits / example / pricing question."""
    exclude = exclude or {}
    skip = set(exclude.get(info.id, []))
    lead = info.parts.lead
    parts = [p for p in info.parts.parts if p.index not in skip]
    wanted = terms(query or question.subject)
    intent = question.intent
    if intent in ("how", "when") and not _serving(info, intent, query):
        intent = "definition"  # "how does X work" without a how-it-works part: the definition says it
    if intent in ("definition", "simpler") or lead is None:
        priority = _PRIORITY["definition"]
        chosen = [lead] if lead is not None and lead.index not in skip else []
        if intent == "simpler":
            # offline we cannot rewrite the notes; the plainest version is the definition's first
            # sentence with the section's worked example (shown before or not: this answer is new)
            n = answer.cite(info.id)
            head = first_sentence(lead.text) if lead else ""
            body = [f"In short: {head} [{n}]"] if head else []
            simple = info.parts.of("example")[:1] or fill(
                answer,
                info,
                [],
                [p for p in parts if p.kind in ("list", "paragraph") and p is not lead],
                target=120,
            )
            for part in simple:
                answer.mark(info.id, part)
                body.append(with_citation(part.text, n))
            return _offer_more(answer, info, "\n\n".join(body))
        candidates = sorted(
            (p for p in parts if p not in chosen),
            key=lambda p: (
                priority.index(p.kind) if p.kind in priority else 9,
                -_relevance(p, wanted),
                p.index,
            ),
        )
        # a part naming the question's own words beats the generic order ("core dimensions of
        # responsible AI" wants the list of dimensions)
        candidates.sort(key=lambda p: -min(_relevance(p, wanted - terms(info.title)), 2))
        if lead is not None and lead.words > MAX_WORDS:
            n = answer.cite(info.id)
            answer.mark(info.id, lead)
            return _offer_more(answer, info, f"{trimmed_lead(lead.text, MAX_WORDS - 20)} [{n}]")
        first = candidates[0] if candidates else None
        if lead is not None and chosen and first is not None and first.kind in ("list", "table"):
            head = first_sentence(lead.text)
            if lead.words + first.words > MAX_WORDS and words(head) + first.words <= MAX_WORDS:
                # the list is what the question wants and it is shown whole: the lead shrinks instead
                n = answer.cite(info.id)
                answer.mark(info.id, lead)
                picked = fill(answer, info, [first], candidates[1:], used=words(head))
                return _offer_more(answer, info, f"{head} [{n}]\n\n{render(answer, info, picked)}")
        picked = fill(answer, info, chosen, candidates)
        return _offer_more(answer, info, render(answer, info, picked))

    serving = _serving(info, intent, query) if intent != "example" else info.parts.of("example")
    labelled = {p.index for p in info.parts.parts if intent in p.topics}
    if intent == "how" and _FIX_ASK.search(query):
        labelled |= {p.index for p in serving if _FIX_PART.search(p.label or p.text[:60])}
    # parts labelled for the question first, then what the learner has not seen yet, then the
    # parts naming the question's own words
    asked = wanted - terms(info.title)
    serving.sort(key=lambda p: (p.index not in labelled, p.index in skip, -min(_relevance(p, asked), 2)))
    title = info.title
    if not serving:
        answer.covered = False
        what = {
            "pricing": "pricing",
            "limits": "limits",
            "example": "a worked example",
            "how": "how it works",
            "when": "when to use it",
        }.get(intent, intent)
        n = answer.cite(info.id)
        offered = [p for p in parts if p.kind != "lead"] if skip else parts  # not what was just shown
        labels = sorted({p.label for p in info.parts.parts if p.label and p.kind != "lead"})
        opener = f"The notes don't cover {what} for **{title}**."
        if labels:
            opener += f" What they do have on it: {', '.join(labels)}."
        picked = fill(answer, info, [], offered, target=120, used=words(opener))
        body = render(answer, info, picked) if picked else f"That is all the notes have on {title}. [{n}]"
        return _offer_more(answer, info, f"{opener}\n\n{body}")
    chosen = fill(answer, info, [], serving, target=TARGET_WORDS)
    if intent == "how" and chosen:
        # room left after the how-it-works part: the section's lists and tables name the parts
        # that work together ("content filters, denied topics, …")
        extra = sorted(
            (p for p in parts if p.kind in ("list", "table") and p not in chosen and p is not lead),
            key=lambda p: (-_relevance(p, wanted), p.index),
        )
        chosen = fill(
            answer,
            info,
            chosen,
            extra,
            target=TARGET_WORDS,
            used=words(first_sentence(lead.text)) if lead else 0,
        )
    if intent == "example" and chosen and sum(p.words for p in chosen) < MIN_WORDS:
        # a short example usually goes on in the part after it ("The model writes …", a list)
        after = [p for p in info.parts.parts if p.index == chosen[-1].index + 1 and p.kind != "example"]
        chosen = fill(answer, info, chosen, after, target=MAX_WORDS - 40)
    if not chosen:  # the serving part is longer than a message: its first sentences
        part = serving[0]
        n = answer.cite(info.id)
        answer.mark(info.id, part)
        return _offer_more(answer, info, f"{trimmed_lead(part.text, MAX_WORDS - 30)} [{n}]")
    total = sum(p.words for p in chosen)
    if lead is not None and lead not in chosen and lead.index not in skip:
        head = first_sentence(lead.text)
        if total + words(head) <= MAX_WORDS:
            n = answer.cite(info.id)
            return _offer_more(answer, info, f"{head} [{n}]\n\n{render(answer, info, chosen)}")
    return _offer_more(answer, info, render(answer, info, chosen))


# -- two sections ---------------------------------------------------------------------------------
def _mentions(text: str, name: str) -> bool:
    name_terms = terms(name)
    return bool(name_terms) and name_terms <= terms(text)


def _short_name(info: SectionInfo) -> str:
    return re.sub(r"\s*\(.*?\)\s*", " ", info.title).strip()


def side_lead(info: SectionInfo) -> str:
    lead = info.parts.lead
    return trimmed_lead(lead.text, SIDE_LEAD_WORDS) if lead else ""


def contrast_parts(
    a: SectionInfo, b: SectionInfo, a_name: str, b_name: str
) -> list[tuple[SectionInfo, Part]]:
    """What tells two topics apart: a contrast line or table in one that names the other."""
    found: list[tuple[SectionInfo, Part]] = []
    for info, other, other_name in ((a, b, b_name), (b, a, a_name)):
        for part in info.parts.parts:
            if part.kind == "lead":
                continue
            if _mentions(part.text, other_name) or _mentions(part.text, _short_name(other)):
                found.append((info, part))
    rank = {"contrast": 0, "table": 1, "tip": 2, "paragraph": 3, "list": 4, "example": 5}
    found.sort(key=lambda item: rank.get(item[1].kind, 9))
    return found


def comparison_answer(a: SectionInfo, b: SectionInfo, names: list[str], answer: Composed) -> str:
    """Both sides' leads, then what tells them apart."""
    if a.id == b.id:
        return same_section_comparison(a, names, answer)
    lines = []
    for info in (a, b):
        n = answer.cite(info.id)
        if info.parts.lead:
            answer.mark(info.id, info.parts.lead)
        lines.append(f"**{_short_name(info)}**: {side_lead(info)} [{n}]")
    used = sum(words(line) for line in lines)
    contrasts: list[tuple[SectionInfo, Part]] = []
    for info, part in contrast_parts(a, b, names[0], names[1]):
        size = used + sum(p.words for _, p in contrasts)
        if size >= TARGET_WORDS or len(contrasts) >= 2:
            break
        if size + part.words <= MAX_WORDS:
            contrasts.append((info, part))
    whens: list[tuple[SectionInfo, Part]] = []
    for info in (a, b):  # each side's "when to pick it", the learner's other way to tell them apart
        when = [
            p
            for p in _serving(info, "when")
            if p.kind != "lead" and p.index not in {c.index for _, c in contrasts}
        ]
        whens += [(info, p) for p in when[:1]]
    if len(whens) == 2:
        # both sides' "when to pick it" beat a second contrast line: the answer stays balanced
        while len(contrasts) > 1 and used + sum(p.words for _, p in contrasts + whens) > MAX_WORDS:
            contrasts.pop()
    extra: list[str] = []
    for info, part in contrasts:
        answer.mark(info.id, part)
        extra.append(with_citation(part.text, answer.cite(info.id)))
        used += part.words
    if not contrasts or used < TARGET_WORDS or len(whens) == 2:
        for info, part in whens:
            if used + part.words <= MAX_WORDS:
                answer.mark(info.id, part)
                name, cited = _short_name(info), with_citation(part.text, answer.cite(info.id))
                extra.append(cited if cited.lower().startswith(name.lower()) else f"{name}: {cited}")
                used += part.words
    text = "\n\n".join(lines)
    if extra:
        text += "\n\n**What tells them apart:**\n\n" + "\n\n".join(extra)
    return text


def same_section_comparison(info: SectionInfo, names: list[str], answer: Composed) -> str:
    """Both sides live in one section ("precision vs recall"): its lead and the parts naming them."""
    lead = info.parts.lead
    naming = [p for p in info.parts.parts if p is not lead and any(_mentions(p.text, n) for n in names)]
    naming.sort(key=lambda p: (-sum(_mentions(p.text, n) for n in names), p.index))
    chosen = [lead] if lead else []
    picked = fill(
        answer,
        info,
        chosen,
        naming + [p for p in info.parts.parts if p not in naming],
        target=TARGET_WORDS + 30,
    )
    return _offer_more(answer, info, render(answer, info, picked))


def pick_for_need(sides: list[SectionInfo], need: str) -> int:
    """Which side's section speaks most to the need: shared terms, 'when to pick' parts counted twice."""
    wanted = terms(need)
    scores = []
    for info in sides:
        text_terms = terms(" ".join(p.text for p in info.parts.parts) + " " + info.keywords)
        when_terms = terms(" ".join(p.text for p in _serving(info, "when")))
        scores.append(len(wanted & text_terms) + len(wanted & when_terms))
    return max(range(len(sides)), key=lambda i: (scores[i], -i))


# "should I use to scan S3 buckets": the words before the need itself
_FILLER = re.compile(
    r"^(?:(?:should|would|could|can|do|does|did|i|we|you|they|it|use|pick|choose|go with|one|which|is|are"
    r"|better|best|the|a|an|me|us)\s+)+",
    re.I,
)


def which_answer(a: SectionInfo, b: SectionInfo, need: str, answer: Composed) -> str:
    """The pick named first with why, then the other side in a line."""
    sides = [a, b]
    best = pick_for_need(sides, need)
    winner, other = sides[best], sides[1 - best]
    n = answer.cite(winner.id)
    need = _FILLER.sub("", need).strip(" ?.!")
    verb = re.match(r"(needs?|is|has|can|does|works?|supports?|requires?|lets?|gives?)\b", need, re.I)
    clause = re.match(r"(to|for|when|if)\s+(.+)$", need, re.I)
    head = f"**{_short_name(winner)}** is the better fit" + (
        f": it {need}."
        if verb
        else f" {clause.group(1).lower()} {clause.group(2)}."
        if clause
        else f" for {need}."
        if need
        else "."
    )
    why = [p for p in _serving(winner, "when") if p.kind != "lead"][:1]
    lead = winner.parts.lead
    body = [head, f"{side_lead(winner)} [{n}]"]
    if lead:
        answer.mark(winner.id, lead)
    for part in why:
        if words(" ".join(body)) + part.words <= MAX_WORDS - 60:
            answer.mark(winner.id, part)
            body.append(with_citation(part.text, n))
    m = answer.cite(other.id)
    if other.parts.lead:
        answer.mark(other.id, other.parts.lead)
    other_lead = trimmed_lead(other.parts.lead.text, 50) if other.parts.lead else ""
    body.append(f"**{_short_name(other)}**, by contrast: {other_lead} [{m}]")
    apart = [
        item
        for item in contrast_parts(winner, other, _short_name(winner), _short_name(other))
        if item[1].kind == "contrast"
    ]
    for info, part in apart[:1]:
        if words("\n".join(body)) + part.words <= MAX_WORDS:
            answer.mark(info.id, part)
            body.append(with_citation(part.text, answer.cite(info.id)))
    return "\n\n".join(body)


def scenario_answer(info: SectionInfo, text: str, answer: Composed) -> str:
    """An exam-style scenario: the best-fitting topic named first, then why."""
    guide = re.search(
        r"^(choosing|when|matching|how to)\b|\b(vs\.?|versus|compared|options)\b", info.title, re.I
    )
    # a guide section is where the answer is found, not the answer itself
    head = (
        f"The notes answer this in **{info.title}**."
        if guide
        else f"**{_short_name(info)}** fits this scenario best."
    )
    lead = info.parts.lead
    chosen = [lead] if lead else []
    wanted = terms(text)
    serving = _serving(info, "when") + sorted(
        (p for p in info.parts.parts if p is not lead), key=lambda p: -_relevance(p, wanted)
    )
    picked = fill(
        answer,
        info,
        chosen,
        [p for p in serving if p.kind != "contrast"],
        target=TARGET_WORDS - 10,
        used=words(head),
    )
    return _offer_more(answer, info, f"{head}\n\n{render(answer, info, picked)}")


def more_answer(info: SectionInfo, shown: dict[str, list[int]], answer: Composed) -> str | None:
    """The parts of the section not shown yet, in order, as many as fit; None when all were shown."""
    rest = remaining(info, shown)
    if not rest:
        return None
    answer.shown = {k: list(v) for k, v in shown.items()}
    picked = fill(answer, info, [], rest, target=TARGET_WORDS)
    if not picked:  # one long part: its first sentences
        part = rest[0]
        answer.mark(info.id, part)
        return f"{trimmed_lead(part.text, MAX_WORDS - 30)} [{answer.cite(info.id)}]"
    return _offer_more(answer, info, render(answer, info, picked))
