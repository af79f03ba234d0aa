"""The slash commands both platforms offer (`/aif ask …` on Slack, `/ask …` on Discord), translated
into a turn the graph understands."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agents.reply import Route


class CommandSpec(BaseModel):
    name: str
    description: str = Field(max_length=100)
    route: Route
    text: str = Field(description="What the graph is sent; {arg} is the command's argument.")
    bare: str | None = Field(None, description="What is sent without an argument, if different.")
    argument: str | None = Field(None, description="The argument's name, when the command takes one.")
    private: bool = Field(False, description="Answer where only the user sees it (DM / ephemeral).")
    own_conversation: bool = Field(False, description="Runs long: gets its own DM or thread.")
    thread: bool = Field(
        False, description="A shared activity: in a server channel, its own public thread (Discord)."
    )
    personal: bool = Field(
        False, description="The person's own results or help: ephemeral in a channel (DM on Discord)."
    )


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in [
        CommandSpec(
            name="ask",
            description="Ask a question about the AIF-C01 course notes",
            route="tutor",
            text="{arg}",
            argument="question",
        ),
        CommandSpec(
            name="quiz",
            description="Practice questions, by domain (1-5), task (3.2) or topic",
            route="quizmaster",
            text="quiz me on {arg}",
            bare="quiz me",
            argument="topic",
            thread=True,
        ),
        CommandSpec(
            name="review",
            description="Review the questions you are due to see again",
            route="quizmaster",
            text="review my due questions",
            private=True,  # an interactive run through the person's own due cards: in their DM
        ),
        CommandSpec(
            name="mock",
            description="A 65-question, 90-minute mock exam",
            route="quizmaster",
            text="start a mock exam",
            own_conversation=True,
        ),
        CommandSpec(
            name="stats",
            description="Your progress, streak and readiness",
            route="quizmaster",
            text="show my stats",
            personal=True,
        ),
        CommandSpec(
            name="leaderboard",
            description="This week's top learners here",
            route="quizmaster",
            text="show the leaderboard",
        ),
        CommandSpec(
            name="bank",
            description="The retail-banking agent demo (private)",
            route="banking",
            text="{arg}",
            bare="I'd like to check my bank account",
            argument="request",
            private=True,
        ),
        CommandSpec(name="help", description="What I can do", route="help", text="help", personal=True),
    ]
}

USAGE = "Commands: " + ", ".join(
    f"`{spec.name}{' <' + spec.argument + '>' if spec.argument else ''}`" for spec in COMMANDS.values()
)


class CommandError(ValueError):
    """Not a command we know, or one missing its argument; the message says what to type."""


def command_text(spec: CommandSpec, argument: str = "") -> str:
    argument = argument.strip()
    if not argument:
        if spec.bare is None and "{arg}" in spec.text:
            raise CommandError(f"`{spec.name}` needs a {spec.argument}, like `{spec.name} what is RAG?`")
        return spec.bare or spec.text
    return spec.text.format(arg=argument)


def parse_command(line: str) -> tuple[CommandSpec, str]:
    """`quiz domain 2` → (the quiz command, "quiz me on domain 2")."""
    name, _, argument = line.strip().partition(" ")
    spec = COMMANDS.get(name.lower())
    if spec is None:
        shown = name[:30] or "(nothing)"
        raise CommandError(f"I don't know the command `{shown}`. {USAGE}")
    return spec, command_text(spec, argument)
