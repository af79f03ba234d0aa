"""The `aifbot` command line, driven in-process through the real Typer app and real components.

The notes index is built once, in a child process (so Chroma has flushed everything to disk when
it exits), into a pristine template folder. Read-only tests point AIFBOT_DATA_DIR at one shared
copy; tests that ingest, corrupt or rebuild get their own copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bots.cli import app, main

GRAPH_NODES = ("input_guard", "router", "tutor", "quizmaster", "banking", "help", "output_guard")
COMMANDS = ("chat", "ask", "search", "route", "ingest", "eval", "bench", "graph")


# -- fixtures ----------------------------------------------------------------------------------
def aifbot_process(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`aifbot ARGS` in a process of its own, on the given data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIFBOT_")}
    env["AIFBOT_DATA_DIR"] = str(data)
    return subprocess.run(
        [sys.executable, "-c", "from bots.cli import main; main()", *args],
        cwd=data.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def template_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the notes indexed and the embedding model prepared, built by `aifbot ingest`
    in its own process."""
    root = tmp_path_factory.mktemp("cli-template")
    data = root / "data"
    done = aifbot_process(data, "ingest")
    assert done.returncode == 0, done.stderr
    assert (data / "index" / "chroma.sqlite3").is_file()
    return data


def copy_data(template: Path, target: Path) -> Path:
    """A private data dir: a copy of the template index, sharing its (read-only) model cache."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template / "index", target / "index")
    (target / "models").symlink_to(template / "models", target_is_directory=True)
    return target


@pytest.fixture(scope="module")
def shared_data(template_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_data(template_data, tmp_path_factory.mktemp("cli-shared") / "data")


@pytest.fixture
def shared(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point this test at the shared, read-only data dir (after the autouse isolation fixture)."""
    monkeypatch.setenv("AIFBOT_DATA_DIR", str(shared_data))
    return shared_data


@pytest.fixture
def private(template_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir of this test's own, already indexed."""
    data = copy_data(template_data, tmp_path / "data")
    monkeypatch.setenv("AIFBOT_DATA_DIR", str(data))
    return data


@pytest.fixture
def cli() -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def run_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """The console entry point (`bots.cli.main`) as a user runs it: exit code, stdout, stderr."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["aifbot", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as stopped:
            main()
        captured = capsys.readouterr()
        code = stopped.value.code
        return (0 if code is None else int(code)), captured.out, captured.err

    return run


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_json(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


# -- search ------------------------------------------------------------------------------------
def test_search_json_shape(shared: Path, cli) -> None:
    data = one_json(cli("search", "what is retrieval augmented generation?", "--json"))
    assert set(data) >= {"results"}
    results = data["results"]
    assert len(results) == 5  # the default k
    for hit in results:
        assert {"id", "source", "section", "text", "score"} <= set(hit)
        assert {"title", "similarity", "domain", "task"} <= set(hit)
        assert isinstance(hit["score"], float)
        assert hit["text"].strip()
        assert hit["id"].startswith(hit["section"])
    scores = [hit["score"] for hit in results]
    assert scores == sorted(scores, reverse=True)
    assert len({hit["section"] for hit in results}) == len(results)  # k distinct sections


def test_search_k_and_domain(shared: Path, cli) -> None:
    three = one_json(cli("search", "how do I reduce hallucinations", "--k", "3", "--json"))
    assert len(three["results"]) == 3

    only_d4 = one_json(cli("search", "bias and fairness in models", "--domain", "4", "--json"))
    assert only_d4["results"]
    assert {hit["domain"] for hit in only_d4["results"]} == {4}


def test_search_finds_amazon_transcribe(shared: Path, cli) -> None:
    data = one_json(
        cli("search", "Which AWS service turns recorded customer calls into text?", "--k", "3", "--json")
    )
    ids = [hit["id"].lower() for hit in data["results"]]
    assert any("transcribe" in i or "speech" in i for i in ids), ids


def test_search_batch_keeps_order_and_reports_bad_lines(shared: Path, cli, tmp_path: Path) -> None:
    batch = write_jsonl(
        tmp_path / "queries.jsonl",
        [
            json.dumps({"text": "amazon polly text to speech"}),
            '{"text": "unterminated',
            json.dumps({"query": "no text key here"}),
        ],
    )
    result = cli("search", "--batch", str(batch))
    assert result.exit_code == 0, result.output
    lines = json_lines(result.stdout)
    assert len(lines) == 3
    assert lines[0]["results"] and "error" not in lines[0]
    assert "error" in lines[1] and "results" not in lines[1]
    assert "error" in lines[2] and "results" not in lines[2]
    assert "line 2" in lines[1]["error"]
    assert "line 3" in lines[2]["error"]


@pytest.mark.parametrize("query", ["", "   \t  "])
def test_search_empty_query_gives_notice(shared: Path, cli, query: str) -> None:
    data = one_json(cli("search", query, "--json"))
    assert data["results"] == []
    assert data["notice"] and "empty" in data["notice"].lower()


def test_search_huge_query_is_cut_with_notice(shared: Path, cli) -> None:
    query = ("what is amazon bedrock " * 5000)[:100_000]
    data = one_json(cli("search", query, "--json"))
    assert data["notice"]
    assert any(word in data["notice"].lower() for word in ("long", "cut", "truncat", "first"))
    assert data["results"]  # the first part of the query is still searched


# -- route -------------------------------------------------------------------------------------
ROUTE_CASES = {
    "quiz me on domain 2": "quizmaster",
    "hello": "help",
    "what is the difference between fine-tuning and RAG?": "tutor",
    "I want to transfer $50 from checking to my savings account": "banking",
}


@pytest.mark.parametrize(("text", "expected"), ROUTE_CASES.items())
def test_route_json(shared: Path, cli, text: str, expected: str) -> None:
    data = one_json(cli("route", text, "--json"))
    assert set(data) == {"route", "confidence"}
    assert data["route"] == expected
    assert isinstance(data["confidence"], float)
    assert 0.0 <= data["confidence"] <= 1.0


def test_route_batch(shared: Path, cli, tmp_path: Path) -> None:
    batch = write_jsonl(
        tmp_path / "route.jsonl",
        [json.dumps({"text": text}) for text in ROUTE_CASES] + ["not json at all"],
    )
    result = cli("route", "--batch", str(batch))
    assert result.exit_code == 0, result.output
    lines = json_lines(result.stdout)
    assert [line.get("route") for line in lines[:-1]] == list(ROUTE_CASES.values())
    assert "error" in lines[-1]


# -- ask ---------------------------------------------------------------------------------------
ASK_KEYS = {"reply", "route", "sources", "guardrail", "pending", "choices", "notice", "conversation"}


def test_ask_json_shape(shared: Path, cli) -> None:
    data = one_json(cli("ask", "what is Amazon Bedrock?", "--conversation", "shape", "--json"))
    assert set(data) >= ASK_KEYS
    assert data["route"] == "tutor"
    assert data["reply"].strip()
    assert data["pending"] is None
    assert isinstance(data["choices"], list)
    assert isinstance(data["guardrail"], dict) and data["guardrail"]["action"] == "allow"
    assert data["sources"] and all({"section", "title", "source"} <= set(s) for s in data["sources"])
    assert any("bedrock" in s["section"] for s in data["sources"])
    assert "shape" in data["conversation"]


def test_ask_follow_up_continues_across_invocations(shared: Path, cli) -> None:
    first = one_json(cli("ask", "what is Amazon Bedrock?", "--conversation", "follow", "--json"))
    assert any("bedrock" in s["section"] for s in first["sources"])

    # a second process start in real use; here a second invocation with a fresh Runtime
    second = one_json(cli("ask", "and how is it priced?", "--conversation", "follow", "--json"))
    assert second["route"] == "tutor"
    assert second["conversation"] == first["conversation"]
    sections = [s["section"] for s in second["sources"]]
    assert sections, second
    assert "pric" in sections[0] and "bedrock" in sections[0], sections


def test_ask_conversations_are_independent(shared: Path, cli) -> None:
    cli("ask", "what is Amazon Bedrock?", "--conversation", "indep-a", "--json")
    one_json(cli("ask", "what is Amazon Transcribe?", "--conversation", "indep-b", "--json"))
    b = one_json(cli("ask", "and how is it priced?", "--conversation", "indep-b", "--json"))
    a = one_json(cli("ask", "and how is it priced?", "--conversation", "indep-a", "--json"))
    assert a["conversation"] != b["conversation"]
    assert any("bedrock" in s["section"] for s in a["sources"])
    assert not any("bedrock" in s["section"] for s in b["sources"]), b["sources"]
    assert any("transcribe" in s["section"] for s in b["sources"]), b["sources"]


def test_ask_batch(shared: Path, cli, tmp_path: Path) -> None:
    batch = write_jsonl(
        tmp_path / "ask.jsonl",
        [
            json.dumps({"text": "what is Amazon Bedrock?", "conversation": "batch-1"}),
            json.dumps({"text": "hello", "conversation": "batch-2"}),
            "{broken",
            json.dumps({"text": "and how is it priced?", "conversation": "batch-1", "user": "u7"}),
        ],
    )
    result = cli("ask", "--batch", str(batch))
    assert result.exit_code == 0, result.output
    lines = json_lines(result.stdout)
    assert len(lines) == 4
    assert set(lines[0]) >= ASK_KEYS and lines[0]["route"] == "tutor"
    assert lines[1]["route"] == "help"
    assert "error" in lines[2]
    assert lines[3]["conversation"] == lines[0]["conversation"]
    assert any("pric" in s["section"] and "bedrock" in s["section"] for s in lines[3]["sources"])


# -- ingest ------------------------------------------------------------------------------------
def make_study_files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {
        "md": folder / "cheatsheet.md",
        "txt": folder / "mnemonics.txt",
        "png": folder / "diagram.png",
        "bin": folder / "dump.txt",
        "pdf": folder / "whitepaper.pdf",
    }
    files["md"].write_text(
        "# Group cheat sheet\n\n## Zorblax retrieval drill\n\n"
        "The zorblax drill: rehearse chunking, embedding and reranking every Tuesday.\n",
        encoding="utf-8",
    )
    files["txt"].write_text(
        "Remember the quillfeather mnemonic for the five exam domains.\n", encoding="utf-8"
    )
    files["png"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    files["bin"].write_bytes(b"\x00\x01\x02binary\x00\xff" * 64)
    files["pdf"].write_bytes(b"%PDF-1.7\nthis is not really a pdf \x00\x01 garbage\n")
    return files


def test_ingest_user_files(private: Path, cli, tmp_path: Path) -> None:
    files = make_study_files(tmp_path / "study")
    args = ["ingest", *(str(p) for p in files.values())]

    result = cli(*args)
    assert result.exit_code == 0, result.output
    warnings = result.stderr
    for name in ("diagram.png", "dump.txt", "whitepaper.pdf"):
        assert name in warnings, warnings
    assert "skipped" in warnings.lower()
    assert "Traceback" not in result.output

    md = one_json(cli("search", "zorblax drill", "--k", "3", "--json"))
    assert md["results"][0]["source"] == "user:cheatsheet.md"
    assert "zorblax" in md["results"][0]["text"].lower()
    txt = one_json(cli("search", "quillfeather mnemonic", "--k", "3", "--json"))
    assert txt["results"][0]["source"] == "user:mnemonics.txt"
    sources = {h["source"] for h in md["results"] + txt["results"]}
    assert not sources & {"user:diagram.png", "user:dump.txt", "user:whitepaper.pdf"}

    again = cli(*args)
    assert again.exit_code == 0, again.output
    assert "up to date" in again.stderr.lower() or "unchanged" in again.stderr.lower()
    assert "Indexed" not in again.stderr, again.stderr  # nothing was re-indexed


def test_ingest_missing_path_is_one_error(private: Path, run_main, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.md"
    code, out, err = run_main("ingest", str(missing))
    assert code == 1
    assert "Traceback" not in err + out
    assert err.startswith("error:")
    assert "nowhere.md" in err.replace("\n", "")


# -- a damaged index ---------------------------------------------------------------------------
def test_corrupted_index_asks_for_rebuild_and_rebuild_cures(private: Path, run_main) -> None:
    sqlite_file = private / "index" / "chroma.sqlite3"
    assert sqlite_file.is_file()
    sqlite_file.write_bytes(b"this is not a database " * 4096)

    code, out, err = run_main("search", "amazon transcribe", "--json")
    assert code == 1
    assert "--rebuild" in err
    assert "Traceback" not in out + err
    assert out == ""

    # Chroma keeps a per-process registry of opened folders, so (as for a user) the cure and the
    # check after it run in processes of their own
    rebuilt = aifbot_process(private, "ingest", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Traceback" not in rebuilt.stderr
    assert "Indexed" in rebuilt.stderr

    found = aifbot_process(private, "search", "amazon transcribe", "--json")
    assert found.returncode == 0, found.stderr
    results = json.loads(found.stdout)["results"]
    assert results and "transcribe" in results[0]["section"]


# -- quality gates ---------------------------------------------------------------------------
def test_eval_retrieval_quality_gate(shared: Path, cli) -> None:
    report = one_json(cli("eval", "retrieval", "--json"))
    assert report["dataset_size"] >= 100
    assert report["recall_at_k"] >= 0.95, report["misses"]
    assert report["mrr"] >= 0.80


def test_eval_routing_quality_gate(shared: Path, cli) -> None:
    report = one_json(cli("eval", "routing", "--json"))
    assert report["dataset_size"] >= 100
    assert report["accuracy"] >= 0.95, report["errors"]


# -- graph and help --------------------------------------------------------------------------
def test_graph_prints_mermaid_with_every_node(cli) -> None:
    result = cli("graph")
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith(("graph", "---", "%%"))
    for node in GRAPH_NODES:
        assert node in result.stdout, node


def test_help_lists_commands(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.stdout, command


# -- settings errors -------------------------------------------------------------------------
def test_invalid_embeddings_setting(monkeypatch: pytest.MonkeyPatch, run_main) -> None:
    monkeypatch.setenv("AIFBOT_EMBEDDINGS", "nope")
    code, out, err = run_main("search", "anything", "--json")
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "embeddings" in lines[0].lower()


def test_unparseable_llm_setting(shared: Path, monkeypatch: pytest.MonkeyPatch, run_main) -> None:
    monkeypatch.setenv("AIFBOT_LLM", "bogus")
    code, out, err = run_main("ask", "what is Amazon Bedrock?", "--json")
    assert code == 1
    assert "Traceback" not in out + err
    assert "AIFBOT_LLM" in err


@pytest.mark.parametrize("case", ["missing-path", "bad-llm"])
def test_errors_stay_one_line_on_80_columns(
    shared: Path, monkeypatch: pytest.MonkeyPatch, run_main, tmp_path: Path, case: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # what rich assumes for a pipe or a log file
    if case == "missing-path":
        code, _out, err = run_main("ingest", str(tmp_path / "study-group" / "missing-cheatsheet.md"))
    else:
        monkeypatch.setenv("AIFBOT_LLM", "bogus")
        code, _out, err = run_main("ask", "hi", "--json")
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err


def test_discord_invite_link_and_missing_id(monkeypatch: pytest.MonkeyPatch) -> None:
    from bots.discord.invite import PERMISSIONS_VALUE

    runner = CliRunner()
    result = runner.invoke(app, ["discord", "invite", "--client-id", "123456789012345678"])
    assert result.exit_code == 0
    assert (
        "client_id=123456789012345678" in result.output
        and f"permissions={PERMISSIONS_VALUE}" in result.output
    )
    monkeypatch.setenv("AIFBOT_DISCORD_APPLICATION_ID", "987654321098765432")
    assert "client_id=987654321098765432" in runner.invoke(app, ["discord", "invite"]).output
    monkeypatch.delenv("AIFBOT_DISCORD_APPLICATION_ID")
    result = runner.invoke(app, ["discord", "invite"])
    assert result.exit_code != 0 and "AIFBOT_DISCORD_APPLICATION_ID" in str(result.exception)


def test_serve_without_tokens_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    for platform, variable in (("slack", "AIFBOT_SLACK_BOT_TOKEN"), ("discord", "AIFBOT_DISCORD_TOKEN")):
        monkeypatch.setattr(sys, "argv", ["aifbot", "serve", platform])
        with pytest.raises(SystemExit) as info:
            main()
        assert info.value.code == 1
        err = capsys.readouterr().err
        assert variable in err and "Traceback" not in err
    monkeypatch.setenv("AIFBOT_SLACK_BOT_TOKEN", "xoxb-secret-value")
    monkeypatch.setattr(sys, "argv", ["aifbot", "serve", "slack", "--http"])
    with pytest.raises(SystemExit):
        main()
    err = capsys.readouterr().err
    assert "AIFBOT_SLACK_SIGNING_SECRET" in err and "xoxb-secret-value" not in err


def test_daily_preview_and_a_post_without_a_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    preview = runner.invoke(app, ["daily", "preview"])
    assert preview.exit_code == 0, preview.output
    assert "A)" in preview.output and "nothing was posted" in preview.output
    config = tmp_path / "aifbot.yaml"
    config.write_text("daily:\n  - {platform: slack, channel: C1, time: '09:00'}\n")
    monkeypatch.setenv("AIFBOT_CONFIG", str(config))
    posted = runner.invoke(app, ["daily", "post", "--json"])  # no Slack token: nothing can post
    line = next(x for x in posted.output.splitlines() if x.startswith('{"posts"'))  # logs may come first
    assert json.loads(line)["posts"][0]["status"] == "no_poster"
    config.write_text("daily:\n  - {platform: slack, channel: C1, time: '25:00'}\n")
    monkeypatch.setattr(sys, "argv", ["aifbot", "daily", "preview"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1


def long_pdf(path: Path, pages: int) -> Path:
    """A plain PDF of `pages` pages of text (Helvetica, uncompressed), written by hand: enough for
    pypdf to read, with no PDF writer installed."""
    words = [
        "Amazon",
        "Bedrock",
        "offers",
        "foundation",
        "models",
        "through",
        "one",
        "API",
        "with",
        "guardrails",
        "and",
        "agents",
    ]
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]  # the page tree is filled in below
    kids = []
    for page in range(pages):
        lines = [
            " ".join(words[(page + n) % len(words) :] + words[: (page + n) % len(words)]) for n in range(40)
        ]
        text = "".join(f"({line} page {page} line {n}.) Tj T* " for n, line in enumerate(lines))
        stream = f"BT /F1 10 Tf 12 TL 40 800 Td {text}ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
            f"/Resources << /Font << /F1 {3 + 2 * pages} 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>"
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)
    return path


def test_ingest_of_a_long_pdf_shows_progress_with_rate_and_time_left(private: Path, tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from bots.cli.app import indexing_progress
    from bots.startup.runtime import Runtime
    from bots.startup.settings import Settings

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160, color_system=None)
    rt = Runtime(Settings(), progress=indexing_progress(console))
    pdf = long_pdf(tmp_path / "long.pdf", pages=60)
    report = rt.open_index().ingest([pdf], progress=rt.progress)
    assert report.added == ["user:long.pdf"] and report.chunks > 256  # more than one batch
    shown = screen.getvalue()
    assert f"0/{report.chunks} sections" in shown and f"{report.chunks}/{report.chunks}" in shown
    assert re.search(r"\d+/s", shown), shown[-2000:]  # the rate, once a batch is done
    assert re.search(r"left \d+:\d\d:\d\d", shown), shown[-2000:]  # the time left
