"""A notes section read as its parts: the lead paragraph, paragraphs, whole lists, whole tables,
the Example paragraph, contrasts and exam tips.

A part is the smallest thing an answer may quote: a list travels with the line that introduces it,
a table with its caption, a quoted block with the paragraph it illustrates, so no answer can show
"Benefits:" without the benefits or half an example."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

from knowledge.chunking import split_keywords

Kind = Literal["lead", "paragraph", "list", "table", "example", "contrast", "tip", "code"]

_LIST_ITEM = re.compile(r"^\s*([-*+•]|\d{1,2}[.)])\s+")
_LABEL = re.compile(r"^\s*(?:\*\*)?([A-Z][A-Za-z0-9 ,/'()-]{1,48}?)(?:\*\*)?:(?:\*\*)?(?:\s|$)")
_WORD = re.compile(r"\S+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*\"'(])")

# What a paragraph's label says it is; the composer picks parts by these.
_EXAMPLE = re.compile(r"^(worked )?examples?\b|^for example\b|^scenario\b", re.I)
_CONTRAST = re.compile(
    r"^not to be confused|^(compared|contrast)\b|^differs?\b|^vs\b|^versus\b|^related\b", re.I
)
_TIP = re.compile(
    r"^exam (tips?|cues?)\b|^tips?\b|^remember\b|^on the exam\b|^when they appear on the exam", re.I
)
TOPIC_LABELS: dict[str, re.Pattern[str]] = {
    "how": re.compile(
        r"^how (it|they|this) (works?|is used|are used)|^what it does|^steps?\b|^process\b", re.I
    ),
    "when": re.compile(
        r"^when (to|it|they|you|should)\b(?!.*\b(struggles?|fails?|not)\b)|^how to choose|^why use"
        r"|^typical uses|^use cases?|^good fit|^best for|^use (it )?when",
        re.I,
    ),
    "limits": re.compile(
        r"^limits?\b|^limitations?\b|^trade-?offs?\b|^drawbacks?\b|^strengths and limits|^caution\b"
        r"|^risks?\b|^downsides?\b|^weakness|^when (it|they) (struggles?|fails?)|^not (suited|a fit)",
        re.I,
    ),
    "pricing": re.compile(r"^pric|^cost|^billing\b|^charges?\b", re.I),
    "benefits": re.compile(r"^benefits?\b|^strengths?\b|^why it matters|^advantages?\b", re.I),
}
PRICING_WORDS = re.compile(
    r"\b(pric\w*|cost\w*|billed|bill(ing)?|charg\w*|pay(s|ing)?"
    r"|per (token|hour|request|image|second|page|character)s?"
    r"|on-demand|provisioned throughput|free tier|\$\d|cheap\w*|expensive)\b",
    re.I,
)


class Part(BaseModel):
    """One quotable piece of a section, whole."""

    kind: Kind
    text: str = Field(description="Markdown, exactly as in the notes.")
    label: str = Field("", description="The paragraph's leading label, lower case ('when to pick it').")
    topics: list[str] = Field(default_factory=list, description="Which question kinds it serves.")
    index: int = Field(0, description="Position in the section.")

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


class SectionParts(BaseModel):
    id: str
    title: str
    parts: list[Part]

    @property
    def lead(self) -> Part | None:
        """The defining paragraph; a section that opens with a list opens with its definition there."""
        return next((p for p in self.parts if p.kind == "lead"), self.parts[0] if self.parts else None)

    def of(self, kind: Kind) -> list[Part]:
        return [p for p in self.parts if p.kind == kind]

    def about(self, topic: str) -> list[Part]:
        return [p for p in self.parts if topic in p.topics]


def _blocks(body: str) -> list[list[str]]:
    """Blank-line separated blocks; a fenced code block stays one block whatever it contains."""
    blocks: list[list[str]] = []
    current: list[str] = []
    fenced = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            current.append(line)
            continue
        if not fenced and not line.strip():
            if current:
                blocks.append(current)
            current = []
            continue
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _block_kind(lines: list[str]) -> str:
    first = lines[0].lstrip()
    if first.startswith("```"):
        return "code"
    if all(line.lstrip().startswith("|") for line in lines):
        return "table"
    if first.startswith(">"):
        return "quote"
    if first.startswith("### ") or first.startswith("#### "):
        return "heading"
    if _LIST_ITEM.match(lines[0]):
        return "list"
    if len(lines) > 1 and any(_LIST_ITEM.match(line) for line in lines[1:]):
        return "intro+list"  # "Benefits:\n- a\n- b" written without a blank line
    return "paragraph"


def _is_intro(text: str) -> bool:
    """A line that promises what follows: ends with a colon, or is only bold text."""
    stripped = text.strip()
    return stripped.endswith(":") or bool(re.fullmatch(r"\*\*[^*]+\*\*:?", stripped))


_EXAMPLE_OPENER = re.compile(r"^\s*(?:\*\*)?((?:worked |for )?examples?|scenario)(?:\*\*)?[.:—–-]", re.I)


def _label(text: str) -> str:
    match = _LABEL.match(text) or _EXAMPLE_OPENER.match(text)
    return match.group(1).strip().lower() if match else ""


def _classify(kind: str, text: str, label: str, position: int) -> tuple[Kind, list[str]]:
    topics = [name for name, pattern in TOPIC_LABELS.items() if label and pattern.search(label)]
    if len(PRICING_WORDS.findall(text)) >= 2 and "pricing" not in topics:
        topics.append("pricing")
    if kind in ("list", "table", "code"):
        return kind, topics  # type: ignore[return-value]
    if label and _EXAMPLE.search(label):
        return "example", topics
    if (label and _CONTRAST.search(label)) or re.search(r"\bnot to be confused with\b", text, re.I):
        return "contrast", topics
    if label and _TIP.search(label):
        return "tip", topics
    return ("lead" if position == 0 else "paragraph"), topics


def parse_section(section_id: str, title: str, body: str) -> SectionParts:
    """The parts of one section body (markdown without its heading)."""
    prose, _keywords = split_keywords(body)
    merged: list[tuple[str, str]] = []  # (block kind, text)
    pending_intro: str | None = None
    for lines in _blocks(prose):
        kind = _block_kind(lines)
        text = "\n".join(lines).strip()
        if kind == "heading":
            pending_intro = text if pending_intro is None else f"{pending_intro}\n\n{text}"
            continue
        if kind == "intro+list":
            kind = "list"
        if kind in ("list", "table", "code") and pending_intro is not None:
            text = f"{pending_intro}\n\n{text}"
            pending_intro = None
        elif pending_intro is not None:
            merged.append(("paragraph", pending_intro))
            pending_intro = None
        if kind == "quote" and merged:
            # a quoted block belongs to the paragraph that introduces it ("Example: > ...")
            previous_kind, previous = merged[-1]
            merged[-1] = (previous_kind, f"{previous}\n\n{text}")
            continue
        if kind == "paragraph" and _is_intro(text):
            pending_intro = text
            continue
        merged.append(("paragraph" if kind == "quote" else kind, text))
    # an intro with nothing after it is left out: it would promise a list that never comes
    parts: list[Part] = []
    for position, (kind, text) in enumerate(merged):
        label = _label(text)
        part_kind, topics = _classify(kind, text, label, position)
        parts.append(Part(kind=part_kind, text=text, label=label, topics=topics, index=position))
    return SectionParts(id=section_id, title=title, parts=parts)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph, with any emphasis it opens closed again."""
    found = sentences(text)
    sentence = found[0] if found else text.strip()
    if sentence.count("**") % 2:
        sentence = sentence.replace("**", "")
    return sentence


@lru_cache(maxsize=2048)
def cached_parts(section_id: str, title: str, body: str) -> SectionParts:
    return parse_section(section_id, title, body)
