"""Reading study material into sections: the course notes (markdown with front matter) and the
files a study group adds (markdown, text, PDF)."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

NOTES_DIR = Path(__file__).parent / "notes"
SUPPORTED_SUFFIXES = {".md", ".markdown", ".txt", ".pdf"}

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HEADING_ATTRS = re.compile(r"\s*\{([^}]*)\}\s*$")
_SLUG_RUN = re.compile(r"[^a-z0-9]+")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is there


class Section(BaseModel):
    """One `## ` section of the notes (or one page/part of a user file): the unit we cite."""

    id: str = Field(description="Unique, stable id: the slug of the heading unless given.")
    title: str = Field(description="Heading text without attributes.")
    text: str = Field(description="Body of the section (markdown), without the heading.")
    source: str = Field(description="File the section came from, relative to its root.")
    doc_title: str = Field("", description="Title of the file (front matter or H1).")
    domain: int = Field(0, ge=0, le=5, description="Exam domain 1-5; 0 for user material.")
    task: str = Field("", description="Task statement such as '3.2'; empty for user material.")


class UnreadableFileError(ValueError):
    """A file that cannot be ingested (binary, wrong encoding, broken PDF)."""


def slugify(text: str) -> str:
    return _SLUG_RUN.sub("-", text.lower()).strip("-")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parse_heading(raw: str) -> tuple[str, dict[str, str]]:
    """Split `Title {#id task=1.2}` into the title and its attributes."""
    attrs: dict[str, str] = {}
    match = _HEADING_ATTRS.search(raw)
    if match:
        raw = raw[: match.start()]
        for token in match.group(1).split():
            if token.startswith("#"):
                attrs["id"] = token[1:]
            elif "=" in token:
                key, _, value = token.partition("=")
                attrs[key] = value.strip("\"'")
    return raw.strip(), attrs


def parse_markdown(text: str, source: str, id_prefix: str = "") -> list[Section]:
    """Sections of a markdown document; text before the first `## ` heading becomes an intro."""
    meta: dict = {}
    match = _FRONT_MATTER.match(text)
    if match:
        loaded = yaml.load(match.group(1), Loader=YAML_LOADER)
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[match.end() :]
    domain = int(meta.get("domain", 0) or 0)
    task = str(meta.get("task", "") or "")
    doc_title = str(meta.get("title", "") or "")

    sections: list[Section] = []
    title, attrs, body = "", {}, []

    def flush() -> None:
        content = "\n".join(body).strip()
        if not content:
            return
        heading = title or doc_title or Path(source).stem
        sections.append(
            Section(
                id=attrs.get("id") or id_prefix + slugify(heading),
                title=heading,
                text=content,
                source=source,
                doc_title=doc_title,
                domain=domain,
                task=attrs.get("task", task),
            )
        )

    for line in text.splitlines():
        if line.startswith("# ") and not doc_title:
            doc_title = line[2:].strip()
        elif line.startswith("## "):
            flush()
            title, attrs = _parse_heading(line[3:])
            body = []
        elif not line.startswith("# "):
            body.append(line)
    flush()
    return sections


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise UnreadableFileError(f"{path.name} looks binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(f"{path.name} is not UTF-8 text") from exc


def _read_pdf(path: Path, source: str, prefix: str) -> list[Section]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise UnreadableFileError(f"{path.name} is not a readable PDF ({exc})") from exc
    return [
        Section(id=f"{prefix}p{n}", title=f"{path.stem}, page {n}", text=text, source=source)
        for n, text in enumerate(pages, start=1)
        if text
    ]


def read_file(path: Path, source: str | None = None) -> list[Section]:
    """Sections of one file. Notes keep their own ids; user files get ids prefixed by file."""
    source = source or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFileError(f"{path.name}: only {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    in_notes = path.resolve().is_relative_to(NOTES_DIR.resolve())
    prefix = "" if in_notes else slugify(path.stem) + "-"
    if suffix == ".pdf":
        return _read_pdf(path, source, prefix)
    text = _read_text(path)
    if suffix == ".txt":
        body = text.strip()
        return [Section(id=prefix.rstrip("-"), title=path.stem, text=body, source=source)] if body else []
    return parse_markdown(text, source, id_prefix=prefix)


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest under the given files or folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower() != "readme.md")
        else:
            yield path


def load_notes() -> list[Section]:
    """Every section of the course notes shipped with aifbot."""
    sections: list[Section] = []
    for path in discover([NOTES_DIR]):
        if path.suffix == ".md":
            sections.extend(read_file(path, path.relative_to(NOTES_DIR).as_posix()))
    return sections
