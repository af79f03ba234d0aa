"""The guardrail inside the CloudFormation stacks that deploy the bot (deploy/aws/*.yaml).

Every stack that needs the guardrail holds the same two resources as the standalone template, between
two marker lines; `aifbot export-guardrail` rewrites that block from the policy file, so no stack keeps
a hand-made copy."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from agents.guards.cloudformation import guardrail_template
from agents.guards.policy import GuardrailPolicy

BEGIN = "  # BEGIN GENERATED GUARDRAIL - `uv run aifbot export-guardrail` writes this block; don't edit it"
END = "  # END GENERATED GUARDRAIL"
_BLOCK = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.S)


def guardrail_block(policy: GuardrailPolicy) -> str:
    """The guardrail and its version as `Resources:` entries (two-space indent), between the markers."""
    resources = guardrail_template(policy)["Resources"]
    body = yaml.safe_dump(
        resources, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False, indent=2
    )
    indented = "".join(f"  {line}" if line.strip() else line for line in body.splitlines(keepends=True))
    return f"{BEGIN}\n{indented}{END}"


def refresh_stacks(policy: GuardrailPolicy, folder: Path) -> list[Path]:
    """Rewrite the generated block in every template under `folder` that has one; the changed files."""
    block = guardrail_block(policy)
    changed = []
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if BEGIN not in text:
            continue
        updated = _BLOCK.sub(lambda _: block, text, count=1)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            changed.append(path)
    return changed
