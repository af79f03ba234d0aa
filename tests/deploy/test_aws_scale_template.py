"""The scale-out AWS template (deploy/aws/aifbot-scale.yaml): valid for cfn-lint, the shape of the
compose file on managed parts, least privilege per service, and settings the bot really reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode import decode

from agents.guards.cloudformation import guardrail_template
from agents.guards.policy import load_policy
from tests.deploy.test_aws_template import as_list, plain, resources, statements
from tests.deploy.test_container_files import assert_settings_receive

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "aws" / "aifbot-scale.yaml"
PRIVATE = [{"Ref": "PrivateSubnet1"}, {"Ref": "PrivateSubnet2"}]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, matches = decode(str(TEMPLATE))
    assert not matches, [str(m) for m in matches]
    return plain(decoded)


def service(template: dict[str, Any], name: str) -> dict[str, Any]:
    return template["Resources"][name]["Properties"]


def container(template: dict[str, Any], task: str) -> dict[str, Any]:
    (definition,) = template["Resources"][task]["Properties"]["ContainerDefinitions"]
    return definition


def test_cfn_lint_passes() -> None:
    matches = lint_file(TEMPLATE, config=ManualArgs(regions=["us-east-1", "us-west-2", "eu-west-1"]))

    assert [str(m) for m in matches] == []


def test_guardrail_is_the_generated_one(template: dict[str, Any]) -> None:
    generated = guardrail_template(load_policy())["Resources"]
    for name in ("StudyGuardrail", "GuardrailVersion"):
        assert template["Resources"][name] == generated[name], "run `uv run aifbot export-guardrail`"


# ------------------------------------------------------------------------ Slack behind the ALB


def test_slack_arrives_over_https_and_only_ready_tasks_get_events(template: dict[str, Any]) -> None:
    listeners = resources(template, "AWS::ElasticLoadBalancingV2::Listener")
    https = next(r["Properties"] for r in listeners.values() if r["Properties"]["Protocol"] == "HTTPS")
    assert https["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    assert https["DefaultActions"][0]["TargetGroupArn"] == {"Ref": "SlackTargetGroup"}
    plain_http = next(r["Properties"] for r in listeners.values() if r["Properties"]["Protocol"] == "HTTP")
    assert plain_http["DefaultActions"][0]["Type"] == "redirect", "no event travels unencrypted"

    group = template["Resources"]["SlackTargetGroup"]["Properties"]
    assert group["HealthCheckPath"] == "/readyz" and group["Port"] == 8080
    assert group["TargetType"] == "ip", "Fargate tasks register by address"

    slack = container(template, "SlackTaskDefinition")
    assert slack["Command"] == ["serve", "slack", "--http", "--port", "8080"]
    assert {"ContainerPort": 8080, "Protocol": "tcp"} in slack["PortMappings"]


def test_slack_runs_at_least_two_tasks_with_target_tracking(template: dict[str, Any]) -> None:
    slack = service(template, "SlackService")
    assert slack["LaunchType"] == "FARGATE"
    assert slack["DesiredCount"] == {"Ref": "MinTasks"}
    assert template["Parameters"]["MinTasks"]["MinValue"] >= 2
    assert slack["LoadBalancers"][0]["TargetGroupArn"] == {"Ref": "SlackTargetGroup"}
    assert slack["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == PRIVATE

    target = service(template, "SlackScalableTarget")
    assert target["MinCapacity"] == {"Ref": "MinTasks"} and target["MaxCapacity"] == {"Ref": "MaxTasks"}
    assert "SlackService" in target["ResourceId"]["Fn::Sub"]
    policy = service(template, "SlackCpuScaling")
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["ScalingTargetId"] == {"Ref": "SlackScalableTarget"}


def test_discord_is_one_task_that_never_overlaps(template: dict[str, Any]) -> None:
    discord = service(template, "DiscordService")
    assert discord["DesiredCount"] == 1
    assert discord["DeploymentConfiguration"]["MaximumPercent"] == 100, "two gateways answer twice"
    assert "LoadBalancers" not in discord
    assert container(template, "DiscordTaskDefinition")["Command"][:2] == ["serve", "discord"]


# ---------------------------------------------------------------------- PostgreSQL and Chroma


def test_postgres_is_private_encrypted_and_its_password_lives_in_secrets_manager(
    template: dict[str, Any],
) -> None:
    database = template["Resources"]["Database"]
    properties = database["Properties"]
    assert properties["Engine"] == "postgres"
    assert properties["PubliclyAccessible"] is False and properties["StorageEncrypted"] is True
    assert database["DeletionPolicy"] == "Snapshot"
    subnets = template["Resources"]["DatabaseSubnetGroup"]["Properties"]["SubnetIds"]
    assert subnets == PRIVATE
    for field in ("MasterUsername", "MasterUserPassword"):
        assert "{{resolve:secretsmanager:${DatabaseSecret}" in properties[field]["Fn::Sub"]
    generated = template["Resources"]["DatabaseSecret"]["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "password"

    for task in ("SlackTaskDefinition", "DiscordTaskDefinition"):
        definition = container(template, task)
        environment = {e["Name"]: e["Value"] for e in definition["Environment"]}
        url = environment["AIFBOT_DATABASE_URL"]["Fn::Sub"]
        assert url.startswith("postgresql://aifbot@") and ":" not in url.split("//")[1].split("@")[0]
        secrets = {s["Name"]: s["ValueFrom"]["Fn::Sub"] for s in definition["Secrets"]}
        assert secrets["PGPASSWORD"] == "${DatabaseSecret}:password::"


def test_chroma_is_its_own_service_on_efs(template: dict[str, Any]) -> None:
    chroma = service(template, "ChromaService")
    assert chroma["DesiredCount"] == 1
    assert chroma["DeploymentConfiguration"]["MaximumPercent"] == 100, "one writer on its files"
    (volume,) = template["Resources"]["ChromaTaskDefinition"]["Properties"]["Volumes"]
    efs = volume["EFSVolumeConfiguration"]
    assert efs["FilesystemId"] == {"Ref": "ChromaFileSystem"} and efs["TransitEncryption"] == "ENABLED"
    assert template["Resources"]["ChromaFileSystem"]["Properties"]["Encrypted"] is True
    mount_targets = resources(template, "AWS::EFS::MountTarget").values()
    assert sorted(m["Properties"]["SubnetId"]["Ref"] for m in mount_targets) == [
        "PrivateSubnet1",
        "PrivateSubnet2",
    ]
    (mount,) = container(template, "ChromaTaskDefinition")["MountPoints"]
    assert mount["ContainerPath"] == "/data"

    environment = {e["Name"]: e["Value"] for e in container(template, "SlackTaskDefinition")["Environment"]}
    assert environment["AIFBOT_CHROMA_URL"] == {"Fn::Sub": "http://chroma.${AWS::StackName}.internal:8000"}
    discovery = template["Resources"]["ChromaDiscovery"]["Properties"]
    assert discovery["Name"] == "chroma"
    namespace = template["Resources"]["Namespace"]["Properties"]["Name"]
    assert namespace == {"Fn::Sub": "${AWS::StackName}.internal"}


def test_each_part_accepts_connections_only_from_the_part_that_needs_it(template: dict[str, Any]) -> None:
    def sources(group: str) -> set[tuple[int, str]]:
        rules = template["Resources"][group]["Properties"]["SecurityGroupIngress"]
        return {
            (r["FromPort"], r.get("SourceSecurityGroupId", {}).get("Ref", r.get("CidrIp"))) for r in rules
        }

    assert sources("BotSecurityGroup") == {(8080, "LoadBalancerSecurityGroup")}
    assert sources("ChromaSecurityGroup") == {(8000, "BotSecurityGroup")}
    assert sources("DatabaseSecurityGroup") == {(5432, "BotSecurityGroup")}
    assert sources("FileSystemSecurityGroup") == {(2049, "ChromaSecurityGroup")}
    assert sources("LoadBalancerSecurityGroup") == {(443, "0.0.0.0/0"), (80, "0.0.0.0/0")}


# ------------------------------------------------------------------------- least privilege


def granted(template: dict[str, Any], role: str) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for statement in statements(template, role):
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement
        for action in as_list(statement["Action"]):
            found.setdefault(action, []).extend(as_list(statement["Resource"]))
    return found


def test_every_service_has_its_own_least_privilege_roles(template: dict[str, Any]) -> None:
    model = {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${ModelId}"}
    table = {"Fn::GetAtt": ["AccountsTable", "Arn"]}
    bot = granted(template, "BotTaskRole")
    assert bot.pop("bedrock:InvokeModel") == [model]
    assert bot.pop("bedrock:ApplyGuardrail") == [{"Fn::GetAtt": ["StudyGuardrail", "GuardrailArn"]}]
    assert bot.pop("bedrock:InvokeModelWithResponseStream") == [model]
    assert all(resources_ == [table] for resources_ in bot.values()) and all(
        a.startswith("dynamodb:") for a in bot
    )

    chroma = granted(template, "ChromaTaskRole")
    assert set(chroma) == {"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}

    bot_start = granted(template, "BotExecutionRole")
    assert bot_start["secretsmanager:GetSecretValue"] == [{"Ref": "BotSecret"}, {"Ref": "DatabaseSecret"}]
    assert "secretsmanager:GetSecretValue" not in granted(template, "ChromaExecutionRole")

    for name in ("BotTaskRole", "ChromaTaskRole", "BotExecutionRole", "ChromaExecutionRole"):
        for statement in statements(template, name):
            if "*" in as_list(statement["Resource"]):
                assert as_list(statement["Action"]) == ["ecr:GetAuthorizationToken"], (name, statement)
    tasks = resources(template, "AWS::ECS::TaskDefinition")
    assert tasks["ChromaTaskDefinition"]["Properties"]["TaskRoleArn"] == {
        "Fn::GetAtt": ["ChromaTaskRole", "Arn"]
    }
    for task in ("SlackTaskDefinition", "DiscordTaskDefinition"):
        assert tasks[task]["Properties"]["TaskRoleArn"] == {"Fn::GetAtt": ["BotTaskRole", "Arn"]}


# ---------------------------------------------------------------------------- the settings


def test_task_settings_arrive_in_the_bot(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    definition = container(template, "SlackTaskDefinition")
    samples = {
        "AIFBOT_BEDROCK_MODEL_ID": "amazon.nova-lite-v1:0",
        "AIFBOT_GUARDRAIL_ID": "abc123def456",
        "AIFBOT_GUARDRAIL_VERSION": "3",
        "AWS_REGION": "eu-west-1",
        "AIFBOT_DATABASE_URL": "postgresql://aifbot@db.example:5432/aifbot?sslmode=require",
        "AIFBOT_CHROMA_URL": "http://chroma.aifbot.internal:8000",
    }
    variables = {
        e["Name"]: e["Value"] if isinstance(e["Value"], str) else samples[e["Name"]]
        for e in definition["Environment"]
    }
    secrets = [s["Name"] for s in definition["Secrets"]]
    # PGPASSWORD is libpq's own variable (psycopg reads it when the URL carries no password)
    assert "PGPASSWORD" in secrets
    variables |= {name: "xoxb-1" if "TOKEN" in name else "s3cret" for name in secrets if name != "PGPASSWORD"}
    settings = assert_settings_receive(monkeypatch, tmp_path, variables)

    assert settings.llm == "bedrock" and settings.bank_backend == "dynamodb"
    assert settings.database_url == samples["AIFBOT_DATABASE_URL"]
    assert settings.chroma.url == samples["AIFBOT_CHROMA_URL"]
    assert re.fullmatch(template["Parameters"]["SlackBotToken"]["AllowedPattern"], "xoxb-123-abc")
    assert not re.fullmatch(template["Parameters"]["SlackBotToken"]["AllowedPattern"], "xoxp-123-abc")
