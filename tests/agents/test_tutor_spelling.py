"""Spelling against the notes' own vocabulary: misspellings the notes list among a section's
keywords still get corrected, and a negation is never "corrected" into its opposite."""

from __future__ import annotations

from agents.context import AgentContext
from agents.tutor.library import library_for
from agents.tutor.node import speller_for
from tests.agents.conftest import Send


def test_a_misspelling_listed_in_the_keywords_is_still_corrected(agent_context: AgentContext) -> None:
    speller = speller_for(library_for(agent_context.retriever.index))
    assert "bedrok" in speller.keyword_only  # the notes list it so search finds Bedrock
    assert speller.correct_word("bedrok") == "bedrock"
    assert speller.correct_word("sagmaker") == "sagemaker"
    # a plural, a compound and an ordinary rare word stay as typed
    assert speller.correct_word("kmeans") == "kmeans"
    assert speller.correct_word("inferences") == "inferences"
    assert speller.correct_word("thorough") == "thorough"


def test_a_negated_word_is_not_corrected_into_its_opposite(agent_context: AgentContext) -> None:
    speller = speller_for(library_for(agent_context.retriever.index))
    assert speller.correct("it answers incorrectly")[1] == []


async def test_a_how_question_with_a_listed_misspelling_is_answered(send: Send) -> None:
    reply, _ = await send("how does bedrok work")
    assert reply.citations[0].section == "amazon-bedrock"
    assert "bedrock (you typed bedrok)" in reply.text
