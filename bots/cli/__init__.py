"""The `aifbot` command line. Its commands and JSON shapes are a contract (DESIGN.md).

`app.py` holds the Typer apps and the helpers every command shares; each other module registers one
group of commands on them when imported here."""

from __future__ import annotations

import importlib

from pydantic import ValidationError

from bots.cli.app import UserError, app, err
from bots.startup.settings import MissingSettingError

__all__ = ["app", "main"]

# importing a command module registers its commands; this order is the order `--help` lists them in
COMMAND_MODULES = ("study", "explain", "quality", "operations")
for _module in COMMAND_MODULES:
    importlib.import_module(f"bots.cli.{_module}")


def main() -> None:
    """Console entry point: known problems become one friendly line and exit code 1."""
    from agents.guards.policy import PolicyError
    from bots.daily.config import DailyConfigError
    from knowledge.index import IndexError_
    from tools.state.store import StateStoreError

    try:
        app()
    except (
        UserError,
        MissingSettingError,
        IndexError_,
        PolicyError,
        StateStoreError,
        DailyConfigError,
    ) as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = "AIFBOT_" + "_".join(str(p) for p in first["loc"]).upper()
        err.print(f"[red]error:[/] {variable}: {first['msg']}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
