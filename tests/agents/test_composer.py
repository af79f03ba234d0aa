"""The structure parser and the composer on sections written for the test: parts stay whole."""

from __future__ import annotations

from agents.tutor.composer import MAX_WORDS, Composed, comparison_answer, section_answer, which_answer
from agents.tutor.intents import Question
from agents.tutor.library import SectionInfo
from agents.tutor.structure import parse_section

WIDGET = """Widget Search is a managed service that finds widgets by meaning, so that a query and a
widget with no shared words can still match.

It has three parts:

1. **Indexer** – reads the widget catalogue.
2. **Embedder** – turns each widget into a vector.
3. **Ranker** – orders the matches.

Limits: it cannot search images, and every query costs extra latency.

Pricing: billed per query and per indexed widget.

Example:

> A shop searches "cosy boots" and finds "fleece-lined winter shoes".

When to pick it: a catalogue search that must match meaning, not spelling.

Not to be confused with **Widget Store**, which keeps widgets but does not search them.

Keywords: widget finder, semantic widget lookup"""

STORE = """Widget Store is a key-value database for widgets, with single-digit millisecond reads.

When to pick it: fast lookups of a widget by its id, for carts and sessions."""


def info(section_id: str, title: str, body: str) -> SectionInfo:
    return SectionInfo(id=section_id, title=title, source="test.md", domain=1, task="1.1", body=body)


def test_a_section_is_parsed_into_whole_parts() -> None:
    parts = parse_section("widget-search", "Widget Search", WIDGET)
    kinds = [p.kind for p in parts.parts]
    assert kinds[0] == "lead" and "list" in kinds and "example" in kinds and "contrast" in kinds
    listed = parts.of("list")[0]
    # the line that promises the list travels with it, and the list is whole
    assert listed.text.startswith("It has three parts:") and "3. **Ranker**" in listed.text
    example = parts.of("example")[0]
    assert "cosy boots" in example.text  # the quoted block belongs to "Example:"
    assert "Keywords" not in " ".join(p.text for p in parts.parts)
    assert [p.label for p in parts.about("limits")] == ["limits"]
    assert "pricing" in parts.about("pricing")[0].label


def test_a_definition_leads_with_the_defining_paragraph_and_keeps_lists_whole() -> None:
    answer = Composed(text="")
    text = section_answer(
        info("widget-search", "Widget Search", WIDGET),
        Question(intent="definition", subject="widget search"),
        answer,
    )
    assert text.startswith("Widget Search is a managed service")
    assert "1. **Indexer**" in text and "3. **Ranker**" in text
    assert text.count("**") % 2 == 0
    assert len(text.split()) <= MAX_WORDS + 10
    assert answer.sections == ["widget-search"] and "[1]" in text


def test_pricing_and_limits_come_from_their_parts() -> None:
    section = info("widget-search", "Widget Search", WIDGET)
    priced = section_answer(section, Question(intent="pricing", subject="widget search"), Composed(text=""))
    assert "billed per query" in priced and "cannot search images" not in priced
    limited = section_answer(section, Question(intent="limits", subject="widget search"), Composed(text=""))
    assert "cannot search images" in limited


def test_an_intent_the_notes_do_not_cover_is_said_plainly() -> None:
    answer = Composed(text="")
    text = section_answer(
        info("widget-store", "Widget Store", STORE),
        Question(intent="pricing", subject="widget store"),
        answer,
    )
    assert text.startswith("The notes don't cover pricing for **Widget Store**")
    assert not answer.covered


def test_a_comparison_describes_both_sides_and_what_tells_them_apart() -> None:
    search, store = (
        info("widget-search", "Widget Search", WIDGET),
        info("widget-store", "Widget Store", STORE),
    )
    answer = Composed(text="")
    text = comparison_answer(search, store, ["widget search", "widget store"], answer)
    assert "**Widget Search**: Widget Search is a managed service" in text
    assert "**Widget Store**: Widget Store is a key-value database" in text
    assert "What tells them apart" in text and "does not search them" in text
    assert answer.sections == ["widget-search", "widget-store"] and "[2]" in text


def test_which_one_names_the_pick_first() -> None:
    search, store = (
        info("widget-search", "Widget Search", WIDGET),
        info("widget-store", "Widget Store", STORE),
    )
    text = which_answer(search, store, "fast lookups by id for carts", Composed(text=""))
    assert text.startswith("**Widget Store** is the better fit")
