"""The knowledge index: chunks in a Chroma collection (dense) plus BM25 (lexical) built from the
same chunks. Chroma is the single store of record, so every replica sees the same material."""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from knowledge.chunking import Chunk, chunk_section
from knowledge.documents import (
    NOTES_DIR,
    SUPPORTED_SUFFIXES,
    UnreadableFileError,
    discover,
    file_digest,
    read_file,
)
from knowledge.embeddings import cancel
from knowledge.embeddings.base import ChromaEmbeddingFunction, Embedder
from knowledge.lexical import LexicalIndex

log = logging.getLogger(__name__)

NOTES_COLLECTION = "aif-notes"
_ADD_BATCH = 256


class IndexError_(RuntimeError):
    """The index cannot be used as it is; the message says what to run."""


class EmbeddingModelMismatch(IndexError_):
    pass


class IngestReport(BaseModel):
    """What one ingest did."""

    added: list[str] = Field(default_factory=list, description="Files (re)indexed.")
    unchanged: list[str] = Field(default_factory=list, description="Files already indexed.")
    removed: list[str] = Field(default_factory=list, description="Files gone from the notes.")
    skipped: dict[str, str] = Field(default_factory=dict, description="File → why it was skipped.")
    chunks: int = Field(0, description="Chunks written.")

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def open_chroma(path: Path | None = None, url: str | None = None) -> Any:
    """A Chroma client: a server when a URL is given, else embedded under ``path``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "localhost",
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as exc:  # chromadb raises many types for a damaged folder
        raise IndexError_(
            f"The index at {path} cannot be opened ({type(exc).__name__}). "
            "Run `aifbot ingest --rebuild` to build it again."
        ) from exc


class KnowledgeIndex:
    """One Chroma collection and the BM25 index over its chunks."""

    def __init__(
        self,
        client: Any,
        embedder: Embedder,
        name: str = NOTES_COLLECTION,
        document_embedder: Embedder | None = None,
    ) -> None:
        self.client = client
        self.embedder = embedder
        # documents may come from a vector cache; queries always go to the model itself
        self.document_embedder = document_embedder or embedder
        self.name = name
        self._function = ChromaEmbeddingFunction(embedder)
        self._lock = threading.Lock()
        self._collection: Any = None
        self.chunks: list[Chunk] = []
        self.lexical = LexicalIndex([])
        self.chunk_position: dict[str, int] = {}
        self.section_first_chunk: dict[str, int] = {}
        self.section_names: dict[str, str] = {}

    # -- opening -----------------------------------------------------------------------------
    def open(self) -> KnowledgeIndex:
        """Open (or create) the collection and load its chunks into the lexical index."""
        try:
            collection = self.client.get_or_create_collection(
                self.name,
                embedding_function=self._function,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": self.embedder.name},
            )
        except Exception as exc:
            raise IndexError_(
                f"The index collection '{self.name}' cannot be opened ({type(exc).__name__}: "
                f"{exc}). Run `aifbot ingest --rebuild`."
            ) from exc
        stored = (collection.metadata or {}).get("embedding_model")
        if stored and stored != self.embedder.name:
            raise EmbeddingModelMismatch(
                f"The index was built with {stored}, but the embedding model is now "
                f"{self.embedder.name}. Run `aifbot ingest --rebuild` to re-index."
            )
        self._collection = collection
        self._load_chunks()
        return self

    def _load_chunks(self) -> None:
        got = self._collection.get(include=["documents", "metadatas"])
        chunks = [
            Chunk(id=cid, text=doc, **meta)
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        chunks.sort(key=lambda c: c.id)
        self.chunks = chunks
        self.lexical = LexicalIndex([c.text for c in chunks])
        self.chunk_position = {c.id: i for i, c in enumerate(chunks)}
        self.section_first_chunk = {}
        for i, chunk in enumerate(chunks):
            self.section_first_chunk.setdefault(chunk.section, i)
        self.section_names = section_names(chunks)

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self.open()
        return self._collection

    def is_empty(self) -> bool:
        return not self.chunks

    # -- writing -----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        """Index the notes (default) or the given files and folders; unchanged files are skipped.

        Files that cannot be read are skipped with the reason and the rest is ingested.
        """
        with self._lock:
            targets = list(paths) if paths is not None else [NOTES_DIR]
            report = IngestReport()
            indexed = {c.source: c.source_hash for c in self.chunks}
            pending: list[Chunk] = []
            replaced: list[str] = []
            seen: set[str] = set()
            for path in discover(targets):
                source = _source_name(path)
                seen.add(source)
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    report.skipped[source] = f"unsupported file type {path.suffix or '(none)'}"
                    continue
                try:
                    digest = file_digest(path)
                    if indexed.get(source) == digest:
                        report.unchanged.append(source)
                        continue
                    sections = read_file(path, source)
                except (UnreadableFileError, OSError) as exc:
                    report.skipped[source] = str(exc)
                    log.warning("skipped %s: %s", source, exc)
                    continue
                chunks = [c for s in sections for c in chunk_section(s, digest)]
                if not chunks:
                    report.skipped[source] = "no text found"
                    continue
                if source in indexed:
                    replaced.append(source)
                pending.extend(chunks)
                report.added.append(source)
            if paths is None:  # notes deleted from the repository leave the index too
                report.removed = sorted(s for s in indexed if s not in seen and not s.startswith("user:"))
            self._delete_sources(replaced + report.removed)
            self._add(pending, progress)
            report.chunks = len(pending)
            if report.changed:
                self._load_chunks()
            return report

    def _delete_sources(self, sources: list[str]) -> None:
        for source in sources:
            self.collection.delete(where={"source": source})

    def _add(self, chunks: list[Chunk], progress: Callable[[int, int], None] | None) -> None:
        duplicates = _duplicate_ids(chunks)
        if duplicates:
            raise IndexError_(f"Duplicate section ids in the material: {', '.join(duplicates)}")
        written = embedded = 0
        if progress and chunks:  # the bar (and its rate) starts before the first batch is embedded
            progress(0, len(chunks))

        def embedded_some(count: int) -> None:
            # the model reports each of its batches, so the rate and the time left move every
            # second or so, not once per 256 sections (stored counts only after the upsert)
            nonlocal embedded
            embedded = min(embedded + count, len(chunks) - 1)
            if progress:
                progress(embedded, len(chunks))

        try:
            for start in range(0, len(chunks), _ADD_BATCH):
                cancel.check()
                batch = chunks[start : start + _ADD_BATCH]
                texts = [c.text for c in batch]
                with cancel.reporting(embedded_some):
                    vectors = self.document_embedder.embed(texts)
                self.collection.upsert(
                    ids=[c.id for c in batch],
                    documents=texts,
                    metadatas=[c.metadata() for c in batch],
                    embeddings=vectors,
                )
                written = embedded = start + len(batch)
                if progress:
                    progress(written, len(chunks))
        except BaseException:
            # a file is skipped as unchanged when any of its chunks carries its digest: a file cut
            # off half-written (a stop during the first start) must go, so the next start redoes it
            if 0 < written < len(chunks) and chunks[written - 1].source == chunks[written].source:
                self.collection.delete(where={"source": chunks[written].source})
            raise

    def rebuild(self) -> None:
        """Drop the collection so the next open starts empty."""
        try:
            self.client.delete_collection(self.name)
        except Exception as exc:  # a missing collection is fine here
            log.info("no collection to delete: %s", exc)
        self._collection = None
        self.chunks = []
        self.lexical = LexicalIndex([])


def reset_local_index(path: Path) -> None:
    """Remove an embedded index folder entirely (the cure for a damaged one)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # chroma keeps the broken client per process
    if path.exists():
        shutil.rmtree(path)


def _source_name(path: Path) -> str:
    """Notes are named by their path inside the notes folder; user files by 'user:<name>'."""
    resolved = path.resolve()
    if resolved.is_relative_to(NOTES_DIR.resolve()):
        return resolved.relative_to(NOTES_DIR.resolve()).as_posix()
    return f"user:{path.name}"


def section_names(chunks: list[Chunk]) -> dict[str, str]:
    """Lower-case names a learner may use for a section: its heading, and an abbreviation given
    in parentheses ("Retrieval-augmented generation (RAG)" → "rag"). Names shared by several
    sections name none of them."""
    seen: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        title = chunk.title.lower()
        names = {re.sub(r"[^a-z0-9]+", " ", re.sub(r"\(.*?\)", "", title)).strip()}
        names |= {re.sub(r"[^a-z0-9]+", " ", a).strip() for a in re.findall(r"\(([^)]{2,12})\)", title)}
        for name in names:
            if len(name) >= 2:
                seen[name].add(chunk.section)
    return {name: next(iter(s)) for name, s in seen.items() if len(s) == 1}


def _duplicate_ids(chunks: list[Chunk]) -> list[str]:
    seen: set[str] = set()
    return sorted({c.id for c in chunks if c.id in seen or seen.add(c.id)})
