"""The tutor on Amazon Bedrock (Converse), with botocore's Stubber as the service."""

from __future__ import annotations

from botocore.stub import ANY

from agents.context import AgentContext
from agents.tutor.prompts import MODEL_FAILED_NOTICE
from bots.startup.models import make_chat_model
from bots.startup.settings import Settings
from tests.agents.conftest import Send, bedrock_context, converse_response

CONVERSE_TEXT = "Amazon Transcribe converts speech to text [1]."


async def test_tutor_answers_through_converse(send: Send, agent_context: AgentContext, bedrock) -> None:
    client, stubber = bedrock
    stubber.add_response(
        "converse",
        converse_response(CONVERSE_TEXT),
        {"modelId": "amazon.nova-lite-v1:0", "messages": ANY, "system": ANY, "inferenceConfig": ANY},
    )
    reply, _ = await send("what does Amazon Transcribe do?", context=bedrock_context(agent_context, client))
    assert reply.text == "Amazon Transcribe converts speech to text [1]."
    assert reply.notice is None
    assert reply.citations


async def test_guardrail_settings_reach_converse(send: Send, agent_context: AgentContext, bedrock) -> None:
    client, stubber = bedrock
    stubber.add_response(
        "converse",
        converse_response(CONVERSE_TEXT),
        {
            "modelId": "amazon.nova-lite-v1:0",
            "messages": ANY,
            "system": ANY,
            "inferenceConfig": ANY,
            "guardrailConfig": {"guardrailIdentifier": "gr-123", "guardrailVersion": "2", "trace": "enabled"},
        },
    )
    context = bedrock_context(agent_context, client, guardrail={"id": "gr-123", "version": "2"})
    reply, _ = await send("what does Amazon Transcribe do?", context=context)
    assert reply.text.startswith("Amazon Transcribe")


async def test_throttling_falls_back_to_excerpts(send: Send, agent_context: AgentContext, bedrock) -> None:
    client, stubber = bedrock
    stubber.add_client_error(
        "converse",
        service_error_code="ThrottlingException",
        http_status_code=429,
        service_message="Rate exceeded",
    )
    reply, _ = await send("what does Amazon Transcribe do?", context=bedrock_context(agent_context, client))
    assert reply.notice == MODEL_FAILED_NOTICE
    assert "[1]" in reply.text and reply.citations


def test_model_factory() -> None:
    assert make_chat_model(Settings(llm="none")) is None
    model = make_chat_model(Settings(llm="bedrock", aws_region="eu-west-1"))
    assert model.model_id == "amazon.nova-lite-v1:0" and model.region_name == "eu-west-1"


async def test_converse_gets_the_structured_evidence(
    send: Send, agent_context: AgentContext, bedrock
) -> None:
    client, stubber = bedrock
    sent: list[dict] = []
    client.meta.events.register(
        "provide-client-params.bedrock-runtime.Converse", lambda params, **_: sent.append(params)
    )
    response = converse_response(CONVERSE_TEXT)
    response["output"]["message"]["content"] = [{"text": "Inspector scans for vulnerabilities [2]."}]
    stubber.add_response(
        "converse",
        response,
        {"modelId": "amazon.nova-lite-v1:0", "messages": ANY, "system": ANY, "inferenceConfig": ANY},
    )
    reply, _ = await send("Macie vs Inspector", context=bedrock_context(agent_context, client))
    system = sent[0]["system"][0]["text"]
    assert "[1] Amazon Macie" in system and "[2] Amazon Inspector" in system
    assert "Defining paragraph:" in system and "what tells them apart" in system
    assert reply.text == "Inspector scans for vulnerabilities [2]." and len(reply.citations) == 2
