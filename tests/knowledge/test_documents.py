from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.chunking import MAX_CHUNK_CHARS, chunk_section, display_text
from knowledge.documents import (
    NOTES_DIR,
    Section,
    UnreadableFileError,
    load_notes,
    parse_markdown,
    read_file,
    slugify,
)

TASKS = {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "5.1", "5.2"}


def test_heading_attributes_and_front_matter() -> None:
    text = (
        "---\ndomain: 3\ntask: '3.1'\ntitle: RAG\n---\n# RAG\n\nintro\n\n## Vector stores\nbody one\n\n"
        "## Chunking {#chunk-size task=3.2}\nbody two\n"
    )
    sections = parse_markdown(text, "d3/x.md")
    assert [(s.id, s.title, s.task, s.domain) for s in sections] == [
        ("rag", "RAG", "3.1", 3),
        ("vector-stores", "Vector stores", "3.1", 3),
        ("chunk-size", "Chunking", "3.2", 3),
    ]
    assert sections[1].text == "body one"


def test_slugify() -> None:
    assert slugify("Precision, recall and F1") == "precision-recall-and-f1"
    assert slugify("  Amazon Q (Business) ") == "amazon-q-business"


@pytest.fixture(scope="module")
def notes() -> list[Section]:
    return load_notes()


def test_notes_cover_every_domain_and_task_statement(notes: list[Section]) -> None:
    assert {s.domain for s in notes} == {1, 2, 3, 4, 5}
    assert {s.task for s in notes} == TASKS
    for folder in NOTES_DIR.iterdir():
        if folder.is_dir():
            assert re.fullmatch(r"d[1-5]-[a-z-]+", folder.name)


def test_section_ids_are_unique_and_tasks_match_domains(notes: list[Section]) -> None:
    ids = [s.id for s in notes]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for s in notes:
        assert s.task.split(".")[0] == str(s.domain), (s.id, s.task, s.domain)


def test_in_scope_services_have_sections(notes: list[Section]) -> None:
    titles = " | ".join(s.title.lower() for s in notes)
    for service in [
        "bedrock",
        "agentcore",
        "sagemaker",
        "comprehend",
        "rekognition",
        "lex",
        "polly",
        "textract",
        "transcribe",
        "translate",
        "kendra",
        "personalize",
        "augmented ai",
        "clarify",
        "macie",
        "cloudtrail",
        "config",
        "audit manager",
        "artifact",
        "inspector",
        "trusted advisor",
        "kms",
        "secrets manager",
        "opensearch",
        "glue",
        "databrew",
        "emr",
        "lake formation",
        "redshift",
        "dynamodb",
        "aurora",
        "neptune",
        "documentdb",
        "elasticache",
        "lambda",
        "ec2",
        "ecs",
        "eks",
        "budgets",
        "cost explorer",
        "amazon q",
        "nova",
        "kiro",
        "strands",
        "transform",
        "cloudfront",
        "vpc",
        "iam",
        "s3",
        "glacier",
        "data exchange",
        "well-architected",
        "cloudwatch",
        "quick",
        "jumpstart",
        "prompt management",
        "rds",
    ]:
        assert service in titles, service


def test_current_exam_facts(notes: list[Section]) -> None:
    everything = " ".join(s.text for s in notes)
    assert "65 questions" in everything and "90 minutes" in everything and "700" in everything
    # the 2024 beta format may only be mentioned as outdated
    for sentence in re.split(r"(?<=[.!?])\s+", everything):
        if "120 minutes" in sentence or "85 questions" in sentence:
            assert re.search(r"beta|older|earlier|previous|no longer|outdated|replaced", sentence, re.I), (
                sentence
            )


def test_chunks_fit_the_model_window(notes: list[Section]) -> None:
    for section in notes:
        for chunk in chunk_section(section):
            body = display_text(chunk.text).split("\n", 1)[1]
            assert len(body) <= MAX_CHUNK_CHARS
            assert not re.search(r"^Keywords:", body, re.M)
            assert chunk.text.startswith(section.title)


def test_long_paragraph_is_split_at_sentences() -> None:
    section = Section(id="s", title="T", text=("A sentence here. " * 200).strip(), source="x")
    chunks = chunk_section(section, limit=300)
    assert len(chunks) > 5
    assert all(c.text.split("\n", 1)[1].endswith(".") for c in chunks)
    assert [c.id for c in chunks][:2] == ["s#0", "s#1"]


def test_user_files(tmp_path: Path) -> None:
    (tmp_path / "group notes.txt").write_text("Our study group thinks RAG is great.")
    (tmp_path / "cheat.md").write_text("## Tips\nSleep well.\n")
    (tmp_path / "blob.md").write_bytes(b"\x00\x01binary")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    assert read_file(tmp_path / "group notes.txt")[0].id == "group-notes"
    assert read_file(tmp_path / "cheat.md")[0].id == "cheat-tips"
    with pytest.raises(UnreadableFileError, match="binary"):
        read_file(tmp_path / "blob.md")
    with pytest.raises(UnreadableFileError, match="PDF"):
        read_file(tmp_path / "broken.pdf")
