"""The AWS template (deploy/aws/aifbot.yaml): valid for cfn-lint, least privilege, the generated
guardrail, and container settings that the bot really reads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode import decode

from agents.guards.cloudformation import guardrail_template
from agents.guards.policy import load_policy
from agents.guards.stack_templates import BEGIN, refresh_stacks
from tests.deploy.test_container_files import PORT, assert_settings_receive
from tools.bank.store import TABLE, DynamoDBAccountStore

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "aws" / "aifbot.yaml"
GUARDRAIL_TEMPLATE = ROOT / "deploy" / "aws" / "guardrail.yaml"

MODEL_ARN = {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${ModelId}"}
GUARDRAIL_ARN = {"Fn::GetAtt": ["StudyGuardrail", "GuardrailArn"]}
TABLE_ARN = {"Fn::GetAtt": ["AccountsTable", "Arn"]}


def plain(value: Any) -> Any:
    """cfn-lint's decoded nodes as plain dicts, lists and strings (short-form tags in long form)."""
    return json.loads(json.dumps(value))


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, matches = decode(str(TEMPLATE))
    assert not matches, [str(m) for m in matches]
    return plain(decoded)


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = template["Resources"][role]["Properties"]["Policies"]
    found = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    assert "ManagedPolicyArns" not in template["Resources"][role]["Properties"]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def container(template: dict[str, Any]) -> dict[str, Any]:
    (definition,) = template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"]
    return definition


# ----------------------------------------------------------------------------------- validity


def test_cfn_lint_passes() -> None:
    # The resource schemas ship with cfn-lint, so this runs offline.
    matches = lint_file(TEMPLATE, config=ManualArgs(regions=["us-east-1", "us-west-2", "eu-west-1"]))

    assert [str(m) for m in matches] == []


def test_guardrail_is_the_one_generated_from_the_policy(template: dict[str, Any]) -> None:
    generated = guardrail_template(load_policy())["Resources"]
    committed = yaml.safe_load(GUARDRAIL_TEMPLATE.read_text(encoding="utf-8"))["Resources"]

    for name in ("StudyGuardrail", "GuardrailVersion"):
        assert template["Resources"][name] == generated[name], (
            f"{name} in deploy/aws/aifbot.yaml differs from the policy file: run "
            "`uv run aifbot export-guardrail`"
        )
        assert template["Resources"][name] == committed[name]


def test_every_stack_with_the_guardrail_holds_the_generated_block(tmp_path: Path) -> None:
    stacks = [p for p in TEMPLATE.parent.glob("*.yaml") if BEGIN in p.read_text(encoding="utf-8")]
    assert {p.name for p in stacks} >= {"aifbot.yaml", "aifbot-scale.yaml"}
    for stack in stacks:
        (tmp_path / stack.name).write_text(stack.read_text(encoding="utf-8"), encoding="utf-8")

    assert refresh_stacks(load_policy(), tmp_path) == [], "run `uv run aifbot export-guardrail`"


def test_refreshing_rewrites_a_stale_block_and_nothing_else(tmp_path: Path) -> None:
    stale = TEMPLATE.read_text(encoding="utf-8").replace("Type: PROMPT_ATTACK", "Type: PROMPT_ATTACKS")
    (tmp_path / "stack.yaml").write_text(stale, encoding="utf-8")
    (tmp_path / "other.yaml").write_text("Resources: {}\n", encoding="utf-8")

    assert refresh_stacks(load_policy(), tmp_path) == [tmp_path / "stack.yaml"]
    assert (tmp_path / "stack.yaml").read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    assert (tmp_path / "other.yaml").read_text(encoding="utf-8") == "Resources: {}\n"


# --------------------------------------------------------------------------- least privilege


def test_task_role_may_use_one_model_one_guardrail_and_one_table(template: dict[str, Any]) -> None:
    granted: dict[str, list[Any]] = {}
    for statement in statements(template, "TaskRole"):
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement
        for action in as_list(statement["Action"]):
            assert "*" not in action, action
            granted.setdefault(action, []).extend(as_list(statement["Resource"]))

    assert granted == {
        "bedrock:InvokeModel": [MODEL_ARN],
        "bedrock:InvokeModelWithResponseStream": [MODEL_ARN],
        "bedrock:ApplyGuardrail": [GUARDRAIL_ARN],
        "dynamodb:DescribeTable": [TABLE_ARN],
        "dynamodb:GetItem": [TABLE_ARN],
        "dynamodb:PutItem": [TABLE_ARN],
        "dynamodb:Query": [TABLE_ARN],
        "dynamodb:UpdateItem": [TABLE_ARN],
    }


def test_model_arn_is_built_from_the_model_parameter(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["ModelId"]
    assert parameter["Default"] == "amazon.nova-lite-v1:0"
    assert re.fullmatch(parameter["AllowedPattern"], parameter["Default"])
    assert not re.fullmatch(parameter["AllowedPattern"], "*")
    assert not re.fullmatch(parameter["AllowedPattern"], "amazon.*")
    environment = {e["Name"]: e["Value"] for e in container(template)["Environment"]}
    assert environment["AIFBOT_BEDROCK_MODEL_ID"] == {"Ref": "ModelId"}, "the task calls what it may call"


def test_no_wildcard_resource_except_ecr_login(template: dict[str, Any]) -> None:
    for role in resources(template, "AWS::IAM::Role"):
        for statement in statements(template, role):
            if "*" in as_list(statement["Resource"]):
                assert as_list(statement["Action"]) == ["ecr:GetAuthorizationToken"], (role, statement)


def test_execution_role_reads_only_this_stacks_secret(template: dict[str, Any]) -> None:
    granted: dict[str, list[Any]] = {}
    for statement in statements(template, "ExecutionRole"):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted.setdefault(action, []).extend(as_list(statement["Resource"]))

    assert granted["secretsmanager:GetSecretValue"] == [{"Ref": "BotSecret"}]
    assert granted["logs:PutLogEvents"] == [{"Fn::GetAtt": ["LogGroup", "Arn"]}]
    assert set(granted) == {
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "secretsmanager:GetSecretValue",
    }
    assert set(resources(template, "AWS::SecretsManager::Secret")) == {"BotSecret"}


def test_roles_are_for_ecs_tasks_only(template: dict[str, Any]) -> None:
    for name in ("TaskRole", "ExecutionRole"):
        (trust,) = template["Resources"][name]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert trust["Action"] == "sts:AssumeRole"
    definition = template["Resources"]["TaskDefinition"]["Properties"]
    assert definition["TaskRoleArn"] == {"Fn::GetAtt": ["TaskRole", "Arn"]}
    assert definition["ExecutionRoleArn"] == {"Fn::GetAtt": ["ExecutionRole", "Arn"]}


# ------------------------------------------------------------------------------------ the table


class _NoTableYet:
    """A dynamodb client for DynamoDBAccountStore that has no table and records the one it makes."""

    def __init__(self) -> None:
        self.created: dict[str, Any] = {}
        self.meta = type("Meta", (), {"endpoint_url": None})()

    def describe_table(self, **_: Any) -> dict[str, Any]:
        error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no table"}}
        raise ClientError(error, "DescribeTable")  # type: ignore[arg-type]

    def create_table(self, **kwargs: Any) -> dict[str, Any]:
        self.created = kwargs
        return {}

    def get_waiter(self, _: str) -> Any:
        return type("Waiter", (), {"wait": lambda self, **_: None})()


def test_table_is_the_one_the_account_store_creates(template: dict[str, Any]) -> None:
    client = _NoTableYet()
    DynamoDBAccountStore(client)._ensure_table()
    (table,) = resources(template, "AWS::DynamoDB::Table").values()
    properties = table["Properties"]

    assert properties["TableName"] == TABLE == client.created["TableName"] == "customerAccountStatus"
    assert properties["KeySchema"] == client.created["KeySchema"]
    assert properties["AttributeDefinitions"] == client.created["AttributeDefinitions"]
    assert properties["BillingMode"] == client.created["BillingMode"]


# ----------------------------------------------------------------------------- the container


def test_container_settings_arrive_in_the_bot(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    definition = container(template)
    environment = {e["Name"]: e["Value"] for e in definition["Environment"]}
    assert environment == {
        "AIFBOT_LLM": "bedrock",
        "AIFBOT_BEDROCK_MODEL_ID": {"Ref": "ModelId"},
        "AIFBOT_GUARDRAIL_ID": {"Fn::GetAtt": ["StudyGuardrail", "GuardrailId"]},
        "AIFBOT_GUARDRAIL_VERSION": {"Fn::GetAtt": ["GuardrailVersion", "Version"]},
        "AIFBOT_BANK_BACKEND": "dynamodb",
        "AWS_REGION": {"Ref": "AWS::Region"},
    }
    secrets = [s["Fn::If"][1]["Name"] for s in definition["Secrets"]]
    assert secrets == [
        "AIFBOT_SLACK_BOT_TOKEN",
        "AIFBOT_SLACK_APP_TOKEN",
        "AIFBOT_DISCORD_TOKEN",
        "AIFBOT_DATABASE_URL",
    ]

    samples = {
        "AIFBOT_BEDROCK_MODEL_ID": "amazon.nova-lite-v1:0",
        "AIFBOT_GUARDRAIL_ID": "abc123def456",
        "AIFBOT_GUARDRAIL_VERSION": "3",
        "AWS_REGION": "eu-west-1",
        "AIFBOT_DATABASE_URL": "postgresql://aifbot:pw@db:5432/aifbot",
    }
    variables = {n: v if isinstance(v, str) else samples[n] for n, v in environment.items()}
    variables |= {name: samples.get(name, "token-1") for name in secrets}
    settings = assert_settings_receive(monkeypatch, tmp_path, variables)

    assert settings.llm == "bedrock" and settings.bank_backend == "dynamodb"
    assert settings.guardrail.id == "abc123def456" and settings.aws_region == "eu-west-1"


def test_secrets_are_keys_of_the_stack_secret_and_follow_the_platform(template: dict[str, Any]) -> None:
    body = template["Resources"]["BotSecret"]["Properties"]["SecretString"]["Fn::Sub"]
    parameters = re.findall(r"\$\{(\w+)\}", body)
    assert all(template["Parameters"][p]["NoEcho"] is True for p in parameters)
    # the parameter patterns keep the JSON valid whatever is typed in
    for name in parameters:
        pattern = template["Parameters"][name]["AllowedPattern"]
        assert not re.fullmatch(pattern, 'a"b') and not re.fullmatch(pattern, "a\\b")
    keys = json.loads(re.sub(r"\$\{\w+\}", "value", body))

    expected_condition = {
        "AIFBOT_SLACK_BOT_TOKEN": "UsesSlack",
        "AIFBOT_SLACK_APP_TOKEN": "UsesSlack",
        "AIFBOT_DISCORD_TOKEN": "UsesDiscord",
        "AIFBOT_DATABASE_URL": "HasDatabase",
    }
    for secret in container(template)["Secrets"]:
        condition, entry, otherwise = secret["Fn::If"]
        assert otherwise == {"Ref": "AWS::NoValue"}
        assert condition == expected_condition[entry["Name"]]
        key = re.fullmatch(r"\$\{BotSecret\}:(\w+)::", entry["ValueFrom"]["Fn::Sub"])
        assert key and key.group(1) in keys

    conditions = template["Conditions"]
    assert conditions["UsesSlack"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "Platform"}, "discord"]}]}
    assert conditions["UsesDiscord"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "Platform"}, "slack"]}]}


def test_tokens_are_required_for_the_platforms_that_run(template: dict[str, Any]) -> None:
    rules = template["Rules"]
    asserted = {
        name: {a["Assert"]["Fn::Not"][0]["Fn::Equals"][0]["Ref"] for a in rule["Assertions"]}
        for name, rule in rules.items()
    }
    assert asserted == {
        "SlackTokensGiven": {"SlackBotToken", "SlackAppToken"},
        "DiscordTokenGiven": {"DiscordToken"},
    }


def test_container_runs_serve_with_a_health_check(template: dict[str, Any]) -> None:
    definition = container(template)
    assert definition["Command"] == ["serve", {"Ref": "Platform"}, "--port", str(PORT)]
    assert template["Parameters"]["Platform"]["AllowedValues"] == ["slack", "discord", "all"]
    check = definition["HealthCheck"]
    assert check["Command"][:3] == ["CMD", "python", "-c"]
    assert f"http://127.0.0.1:{PORT}/healthz" in check["Command"][3]
    assert check["StartPeriod"] >= 60
    dockerfile = (ROOT / "deploy" / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert check["Command"][3] in dockerfile, "the same probe as the image's HEALTHCHECK"


def test_logs_go_to_a_group_with_retention(template: dict[str, Any]) -> None:
    (group,) = resources(template, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
    assert (
        template["Parameters"]["LogRetentionInDays"]["Default"]
        in (template["Parameters"]["LogRetentionInDays"]["AllowedValues"])
    )
    options = container(template)["LogConfiguration"]["Options"]
    assert options["awslogs-group"] == {"Ref": "LogGroup"}


def test_service_runs_one_fargate_task_in_the_given_network(template: dict[str, Any]) -> None:
    service = template["Resources"]["Service"]["Properties"]
    assert service["LaunchType"] == "FARGATE"
    network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["Subnets"] == {"Ref": "SubnetIds"}
    assert network["SecurityGroups"] == {"Ref": "SecurityGroupIds"}
    assert template["Parameters"]["DesiredCount"]["MaxValue"] == 1, "a second task would answer twice"
    assert service["DeploymentConfiguration"]["MaximumPercent"] == 100
