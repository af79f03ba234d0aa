"""The container files: Dockerfile, .dockerignore, compose file and nginx config.

No Docker engine is needed: the files are parsed and checked against the repository and the
settings they feed (a build or `docker compose config` would catch less, later)."""

from __future__ import annotations

import fnmatch
import http.server
import json
import os
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, SecretStr

from bots.startup.settings import Settings
from tools.state import database_url

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "deploy" / "compose.yaml"
NGINX_CONF = ROOT / "deploy" / "docker" / "nginx.conf"

PORT = 8080


# ------------------------------------------------------------------------------ settings helper


def setting_path(variable: str) -> tuple[str, ...]:
    """Where an environment variable lands in `Settings`, by its documented rule: prefix AIFBOT_,
    then `section_field` for a nested section (split once), else a top-level field.
    AIFBOT_SLACK_BOT_TOKEN → ("slack", "bot_token"); AIFBOT_DATA_DIR → ("data_dir",)."""
    if not variable.startswith("AIFBOT_"):
        return (variable.lower(),)  # a field read under its own name, e.g. AWS_REGION
    name = variable.removeprefix("AIFBOT_").lower()
    section, _, rest = name.partition("_")
    annotation = Settings.model_fields[section].annotation if section in Settings.model_fields else None
    if rest and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (section, rest)
    return (name,)


def plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    return value


def assert_settings_receive(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variables: Mapping[str, str]
) -> Settings:
    """Set `variables` (and no other AIFBOT_* variable, no .env file), build `Settings`, and check
    that every value arrives in the field its name promises."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("AIFBOT_") or name == "AWS_REGION":
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    for name, value in variables.items():
        path = setting_path(name)
        target: Any = settings
        for part in path:
            assert hasattr(target, part), f"{name} is not a setting: Settings has no {'.'.join(path)}"
            target = getattr(target, part)
        assert plain(target) == value, f"{name}={value!r} did not arrive in settings.{'.'.join(path)}"
    return settings


def test_the_settings_helper_knows_the_naming_rule() -> None:
    assert setting_path("AIFBOT_SLACK_BOT_TOKEN") == ("slack", "bot_token")
    assert setting_path("AIFBOT_CHROMA_URL") == ("chroma", "url")
    assert setting_path("AIFBOT_DATA_DIR") == ("data_dir",)
    assert setting_path("AIFBOT_DATABASE_URL") == ("database_url",)
    assert setting_path("AWS_REGION") == ("aws_region",)


def test_the_settings_helper_refuses_unknown_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(AssertionError, match="not a setting"):
        assert_settings_receive(monkeypatch, tmp_path, {"AIFBOT_SLACK_TOKEN": "xoxb-1"})


# ---------------------------------------------------------------------------------- Dockerfile


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int

    def _split(self) -> tuple[dict[str, str], str]:
        flags: dict[str, str] = {}
        rest = self.args
        while match := re.match(r"--([a-z-]+)=(\S+)\s*", rest):
            flags[match.group(1)] = match.group(2)
            rest = rest[match.end() :]
        return flags, rest.strip()

    def flags(self) -> dict[str, str]:
        """The leading options: `--from=build --chown=1:1 a b` → {"from": "build", "chown": "1:1"}."""
        return self._split()[0]

    def words(self) -> list[str]:
        """The arguments after the options; exec-form JSON arrays (also after HEALTHCHECK's CMD)
        are parsed as JSON."""
        rest = self._split()[1]
        if rest.startswith("CMD ["):
            return ["CMD", *json.loads(rest[4:])]
        if rest.startswith("["):
            return json.loads(rest)
        return shlex.split(rest)


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[Instruction] = field(default_factory=list)

    def of(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass
class Dockerfile:
    args: dict[str, str]
    stages: list[Stage]

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)


def parse_dockerfile(text: str) -> Dockerfile:
    """Instructions grouped by stage; continuation lines joined, comments dropped, and the global
    ARG defaults substituted in FROM lines."""
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if buffer and line.startswith("#"):
            continue
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        logical.append((start, buffer + line))
        buffer = ""
    assert not buffer, "the Dockerfile ends inside a continued line"

    args: dict[str, str] = {}
    stages: list[Stage] = []
    for number, line in logical:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        rest = rest.strip()
        if keyword == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], parts[0])
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else ""
            stages.append(Stage(base, name))
        elif keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default
        else:
            assert stages, f"line {number}: {keyword} before the first FROM"
            stages[-1].instructions.append(Instruction(keyword, rest, number))
    return Dockerfile(args, stages)


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def test_two_stages_build_then_slim_python_runtime(dockerfile: Dockerfile) -> None:
    names = [s.name for s in dockerfile.stages]
    assert names[-2:] == ["build", "runtime"], "the last stage is the one `docker build` produces"
    build, runtime = dockerfile.stage("build"), dockerfile.stage("runtime")
    assert build.base == runtime.base, "the venv is copied across: both stages need the same Python"
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", runtime.base)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"


def test_build_stage_installs_the_lock_with_uv_before_copying_the_code(dockerfile: Dockerfile) -> None:
    build = dockerfile.stage("build")
    assert any(i.flags().get("from") == "uv" and "/uv" in i.words() for i in build.of("COPY"))
    runs = [i.args for i in build.of("RUN")]
    syncs = [r for r in runs if "uv sync" in r]
    assert len(syncs) == 2
    for command in syncs:
        assert "--frozen" in command and "--no-dev" in command and "--compile-bytecode" in command
    assert "--no-install-project" in syncs[0], "dependencies first, so code changes reuse that layer"

    copies = build.of("COPY")
    first_sync = next(i.line for i in build.of("RUN") if "uv sync" in i.args)
    lock_copy = next(i for i in copies if "uv.lock" in i.words())
    assert lock_copy.line < first_sync and "pyproject.toml" in lock_copy.words()
    code_copies = [i for i in copies if i.words()[0] in {"bots", "agents", "tools", "knowledge"}]
    assert len(code_copies) == 4
    assert all(i.line > first_sync for i in code_copies)


def test_build_stage_prebuilds_the_index_and_model_under_the_runtime_data_dir(dockerfile: Dockerfile) -> None:
    build, runtime = dockerfile.stage("build"), dockerfile.stage("runtime")
    env = " ".join(i.args for i in build.of("ENV"))
    assert "AIFBOT_DATA_DIR=/app/data" in env
    assert "AIFBOT_DATA_DIR=/app/data" in " ".join(i.args for i in runtime.of("ENV"))
    prebuild = next(i.args for i in build.of("RUN") if "aifbot ingest" in i.args)
    assert "aifbot route" in prebuild and "aifbot guard" in prebuild  # router and guard vectors
    # the editable install points at /app: the code must sit there in both stages
    assert any("UV_PROJECT_ENVIRONMENT=/app/.venv" in i.args for i in build.of("ENV"))
    assert [i.args for i in build.of("WORKDIR")] == ["/app"] == [i.args for i in runtime.of("WORKDIR")]


def test_every_copied_path_exists_and_is_in_the_build_context(dockerfile: Dockerfile) -> None:
    rules = dockerignore_rules()
    for stage in dockerfile.stages:
        for copy in stage.of("COPY"):
            if "from" in copy.flags():
                continue
            *sources, _destination = copy.words()
            for source in sources:
                assert (ROOT / source).exists(), f"line {copy.line}: COPY {source} - no such path"
                assert not ignored(source, rules), f"line {copy.line}: .dockerignore excludes {source}"


def test_runtime_copies_only_what_the_build_stage_made(dockerfile: Dockerfile) -> None:
    build, runtime = dockerfile.stage("build"), dockerfile.stage("runtime")
    made = {"/app/.venv", "/app/data"}  # created by `uv sync` and `aifbot ingest`
    for copy in build.of("COPY"):
        if "from" not in copy.flags():
            *sources, destination = copy.words()
            for source in sources:
                target = destination if not destination.endswith("/") else destination + Path(source).name
                made.add(str(Path("/app") / target) if not target.startswith("/") else target)
    copied = [i for i in runtime.of("COPY") if i.flags().get("from") == "build"]
    assert copied
    for copy in copied:
        *sources, _ = copy.words()
        for source in sources:
            assert source in made, f"line {copy.line}: the build stage does not produce {source}"
    data = next(i for i in copied if i.words()[0] == "/app/data")
    assert data.flags()["chown"] == "10001:10001", "the bot writes state under its data dir"
    assert all("chown" not in i.flags() for i in copied if i is not data), "code stays root-owned"


def test_runtime_runs_as_an_unprivileged_user(dockerfile: Dockerfile) -> None:
    runtime = dockerfile.stage("runtime")
    users = runtime.of("USER")
    assert users, "no USER: the container would run as root"
    user = users[-1].args.split(":")[0]
    assert user not in {"root", "0"}
    assert any(f"--uid {user}" in i.args for i in runtime.of("RUN")), "the user is created in the image"
    assert users[-1].line > max(i.line for i in runtime.of("COPY"))


def test_port_healthcheck_and_command_agree(dockerfile: Dockerfile) -> None:
    runtime = dockerfile.stage("runtime")
    assert [i.args for i in runtime.of("EXPOSE")] == [str(PORT)]
    (healthcheck,) = runtime.of("HEALTHCHECK")
    assert "--start-period=" in healthcheck.args
    command = healthcheck.words()
    assert command[:3] == ["CMD", "python", "-c"], "python's urllib: slim images have no curl"
    assert f"http://127.0.0.1:{PORT}/healthz" in command[3]
    assert runtime.of("ENTRYPOINT")[-1].words() == ["aifbot"]
    cmd = runtime.of("CMD")[-1].words()
    assert cmd[0] == "serve" and cmd[1] in {"slack", "discord", "all"}
    assert cmd[cmd.index("--port") + 1] == str(PORT)


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[int, type[_Health]]]:
    handler = type("Handler", (_Health,), {"status": 200})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


def healthcheck_exit_code(code: str, port: int) -> int:
    code = code.replace(f"127.0.0.1:{PORT}", f"127.0.0.1:{port}")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30).returncode


def test_healthcheck_command_passes_on_200_and_fails_otherwise(
    dockerfile: Dockerfile, health_server: tuple[int, type[_Health]]
) -> None:
    code = dockerfile.stage("runtime").of("HEALTHCHECK")[0].words()[3]
    port, handler = health_server
    assert healthcheck_exit_code(code, port) == 0
    handler.status = 503
    assert healthcheck_exit_code(code, port) != 0


# ------------------------------------------------------------------------------- .dockerignore


def dockerignore_rules() -> list[tuple[bool, str]]:
    """(excluded?, pattern) in file order; the last matching rule decides, as in Docker."""
    rules = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        rules.append((not exception, line.lstrip("!").strip("/")))
    return rules


def _matches(path: str, pattern: str) -> bool:
    if pattern.startswith("**/"):
        tail = pattern[3:]
        parts = path.split("/")
        return any(fnmatch.fnmatchcase("/".join(parts[i:]), tail) for i in range(len(parts))) or any(
            fnmatch.fnmatchcase(part, tail) for part in parts
        )
    # a pattern matching a folder matches everything below it
    parts = path.split("/")
    return any(fnmatch.fnmatchcase("/".join(parts[: i + 1]), pattern) for i in range(len(parts)))


def ignored(path: str, rules: list[tuple[bool, str]]) -> bool:
    verdict = False
    for excluded, pattern in rules:
        if _matches(path.strip("/"), pattern):
            verdict = excluded
    return verdict


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    rules = dockerignore_rules()
    for path in [
        ".env",
        "deploy/.env",
        ".venv/bin/python",
        "data/index/chroma.sqlite3",
        ".git/HEAD",
        "bots/__pycache__/cli.cpython-311.pyc",
        "tests/conftest.py",
        "knowledge/.env",
    ]:
        assert ignored(path, rules), path
    for path in [
        "uv.lock",
        "pyproject.toml",
        "README.md",
        "bots/cli.py",
        "agents/guards/policy.yaml",
        "knowledge/notes",
        "knowledge/vectors/all-MiniLM-L6-v2.npz",
    ]:
        assert not ignored(path, rules), path


# ------------------------------------------------------------------------------------- compose

_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} (with a value for each VAR), and $$."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in variables, f"compose file needs ${{{name}}}: give the test a value for it"
        return variables[name]

    return _INTERPOLATION.sub(replace, value).replace("$$", "$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


BOTS = ("bot-1", "bot-2")


def test_compose_has_two_slack_replicas_behind_nginx_with_postgres_and_chroma(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) >= {*BOTS, "nginx", "postgres", "chroma"}
    first, second = (services[name] for name in BOTS)
    assert first["image"] == second["image"] and first["build"] == second["build"]
    assert first["build"] == {"context": "..", "dockerfile": "deploy/docker/Dockerfile"}
    assert (COMPOSE.parent / first["build"]["context"] / first["build"]["dockerfile"]).resolve() == DOCKERFILE
    for service in (first, second):
        assert service["command"][:3] == ["serve", "slack", "--http"]
        assert service["command"][service["command"].index("--port") + 1] == str(PORT)
        assert "ports" not in service, "replicas are reached through nginx only"
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["chroma"]["image"].startswith("chromadb/chroma:")


def test_chroma_server_matches_the_locked_client(compose: dict[str, Any]) -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    client = next(p["version"] for p in lock["package"] if p["name"] == "chromadb")
    assert compose["services"]["chroma"]["image"] == f"chromadb/chroma:{client}"


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD", f"{name}: exec form, no shell needed"
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services
            assert condition == {"condition": "service_healthy"}, f"{name} → {dependency}"
    for name in BOTS:
        assert {"postgres", "chroma"} <= set(services[name]["depends_on"])
    assert "bot-1" in services["bot-2"]["depends_on"], "replicas start one after the other"
    assert set(services["nginx"]["depends_on"]) == set(BOTS)
    bot_check = services["bot-1"]["healthcheck"]["test"]
    assert bot_check[:3] == ["CMD", "python", "-c"] and f"127.0.0.1:{PORT}/healthz" in bot_check[3]


def test_tokens_come_from_an_ignored_env_file(compose: dict[str, Any]) -> None:
    for name in BOTS:
        assert compose["services"][name]["env_file"] == [{"path": ".env", "required": True}]
    ignored_names = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored_names, "deploy/.env holds tokens: it must stay out of git"
    text = COMPOSE.read_text(encoding="utf-8")
    assert not re.search(r"xox[bap]-\w|SIGNING_SECRET:\s*\S", text.split("name: aifbot", 1)[1])


def compose_variables() -> dict[str, str]:
    """Every AIFBOT_* variable the compose file sets or documents, with a value: the one it sets,
    the documented example, or a placeholder."""
    text = COMPOSE.read_text(encoding="utf-8")
    compose = yaml.safe_load(text)
    found: dict[str, str] = {}
    for line in text.splitlines():
        documented = re.match(r"#\s+(AIFBOT_\w+)=(\S*)", line)
        if documented:
            value = documented.group(2)
            found[documented.group(1)] = value if value and "..." not in value and "<" not in value else "x-1"
    for service in compose["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if name.startswith("AIFBOT_"):
                found[name] = interpolate(str(value), {"POSTGRES_PASSWORD": "s3cret"})
    for name in re.findall(r"\bAIFBOT_\w+", text):
        found.setdefault(name, "x-1")
    return found


def test_every_aifbot_variable_in_compose_is_a_real_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    variables = compose_variables()
    assert {
        "AIFBOT_DATABASE_URL",
        "AIFBOT_CHROMA_URL",
        "AIFBOT_SLACK_BOT_TOKEN",
        "AIFBOT_SLACK_SIGNING_SECRET",
    } <= set(variables)
    settings = assert_settings_receive(monkeypatch, tmp_path, variables)

    assert settings.chroma.url == "http://chroma:8000"
    assert settings.database_url == "postgresql://aifbot:s3cret@postgres:5432/aifbot"
    assert database_url(settings.database_url, tmp_path / "x.sqlite3").startswith("postgresql+")


def test_database_credentials_match_the_postgres_service(compose: dict[str, Any]) -> None:
    url = compose["services"]["bot-1"]["environment"]["AIFBOT_DATABASE_URL"]
    postgres = compose["services"]["postgres"]["environment"]
    assert url.startswith(f"postgresql://{postgres['POSTGRES_USER']}:")
    assert url.endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")
    assert postgres["POSTGRES_PASSWORD"] == url.split(":", 2)[2].split("@postgres")[0]
    assert compose["services"]["bot-1"]["environment"]["AIFBOT_CHROMA_URL"] == "http://chroma:8000"


def test_mounted_files_exist_and_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), f"{name}: {source} does not exist"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
    assert "./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in compose["services"]["nginx"]["volumes"]


def test_nginx_balances_the_replicas_and_serves_slack_events() -> None:
    conf = NGINX_CONF.read_text(encoding="utf-8")
    upstream = re.search(r"upstream aifbot \{(.*?)\}", conf, re.S)
    assert upstream
    assert re.findall(r"server ([\w-]+):(\d+)", upstream.group(1)) == [(name, str(PORT)) for name in BOTS]
    assert "location /slack/" in conf and "proxy_pass http://aifbot;" in conf
    assert "non_idempotent" not in conf, "a Slack event POST must never be replayed on the other replica"
    assert "location = /nginx-health" in conf
    assert conf.count("{") == conf.count("}")
