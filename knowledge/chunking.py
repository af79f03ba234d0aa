"""Splitting sections into chunks that fit the embedding model's window."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from knowledge.documents import Section

# all-MiniLM-L6-v2 reads 256 word pieces; ~1,000 characters of English stays inside that
# together with the heading line that every chunk repeats.
MAX_CHUNK_CHARS = 1000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
# A section may end with "Keywords: a, b, c" — other words learners use for it. They are indexed
# with every chunk of the section but never shown.
_KEYWORDS = re.compile(r"^\s*Keywords:\s*(.+?)\s*$", re.M | re.I)


def split_keywords(body: str) -> tuple[str, str]:
    """A section body without its Keywords line(s), and the keywords."""
    keywords = ", ".join(m.group(1) for m in _KEYWORDS.finditer(body))
    return _KEYWORDS.sub("", body).strip(), keywords


def display_text(indexed: str) -> str:
    """Chunk text as shown to people: without the indexed keywords."""
    return split_keywords(indexed)[0]


class Chunk(BaseModel):
    """A piece of a section, as stored in the vector and lexical indexes."""

    id: str = Field(description="'<section id>#<n>'")
    section: str = Field(description="Id of the section the chunk belongs to.")
    title: str
    doc_title: str = ""
    text: str = Field(description="Heading line followed by the chunk's part of the section.")
    source: str
    source_hash: str = ""
    domain: int = 0
    task: str = ""

    def metadata(self) -> dict[str, str | int]:
        return self.model_dump(exclude={"id", "text"})


def _pieces(paragraph: str, limit: int) -> list[str]:
    """A paragraph cut at sentence ends (or hard) so that no piece exceeds the limit."""
    if len(paragraph) <= limit:
        return [paragraph]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > limit:
            pieces.append(sentence[:limit])
            sentence = sentence[limit:]
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def chunk_section(section: Section, source_hash: str = "", limit: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """Paragraph-packed chunks of a section, each starting with the section's heading."""
    heading = f"{section.title} ({section.doc_title})" if section.doc_title else section.title
    prose, keywords = split_keywords(section.text)
    tail = f"\nKeywords: {keywords}" if keywords else ""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", prose) if p.strip()]
    bodies, current = [], ""
    for paragraph in paragraphs:
        for piece in _pieces(paragraph, limit):
            if current and len(current) + 2 + len(piece) > limit:
                bodies.append(current)
                current = piece
            else:
                current = f"{current}\n\n{piece}" if current else piece
    if current:
        bodies.append(current)
    return [
        Chunk(
            id=f"{section.id}#{n}",
            section=section.id,
            title=section.title,
            doc_title=section.doc_title,
            text=f"{heading}\n{body}{tail}",
            source=section.source,
            source_hash=source_hash,
            domain=section.domain,
            task=section.task,
        )
        for n, body in enumerate(bodies)
    ]
