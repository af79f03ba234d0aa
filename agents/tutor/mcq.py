"""Recognise a pasted multiple-choice question: its stem, lettered options, how many to pick, the
stem's qualifier (NOT, LEAST overhead, ...), an answer key pasted along, and what is wrong with it.

People paste from many sites, so the parser accepts "A. …", "A) …", "(A) …", "a: …", one option per
line or all on one line, and question text before or after the options."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

Qualifier = Literal["negative", "least_overhead", "cost", "best"]
LETTERS = "ABCDEFGH"
MIN_OPTIONS = 3
MAX_EXAM_OPTIONS = 6

# one marker style per paste; the letter group is named so every style reads the same way
_STYLES = {
    "paren": r"\((?P<l>[A-Ha-h])\)",
    "dot": r"(?P<l>[A-Ha-h])\.",
    "close": r"(?P<l>[A-Ha-h])\)",
    "colon": r"(?P<l>[A-Ha-h]):",
    "dash": r"(?P<l>[A-Ha-h])\s[-–—]",
}
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}
_SELECT = re.compile(
    r"\b(?:select|choose|pick|mark|identify)\s+(?:the\s+)?(two|three|four|[234])\b"
    r"(?:\s+(?:answers?|options?|responses?|choices?))?",
    re.I,
)
_KEY = re.compile(
    r"(?:^|\n|\s)(?:the\s+)?(?:correct\s+answers?|right\s+answers?|answers?(?:\s+key)?|ans|key|solution)"
    r"\s*(?:is|are|[:=\-])\s*\(?(?P<keys>(?-i:[A-H])(?:\s*(?:,|and|&|/|\s)\s*(?-i:[A-H]))*)\)?"
    r"(?=[\s.,;:)\-–—]|$)[^\n]*$",
    re.I,
)
_FIGURE = re.compile(
    r"\b(?:see|refer to|shown in|in|on|from|based on|use|using|look at)\s+(?:the\s+)?"
    r"(?:following\s+|attached\s+|above\s+|below\s+)?"
    r"(?:diagram|figure|image|picture|exhibit|screenshot|chart|graph|table below|architecture diagram)\b"
    r"|\b(?:exhibit|diagram|figure)\s+(?:below|above)\b",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(?:NOT|EXCEPT)\b|\bLEAST\s+(?:likely|appropriate|suitable|accurate|relevant|useful|effective|helpful)\b"
    r"|\bof the following (?:is|are) not\b|\b(?:is|are) not (?:a|an|one of the)\b"
    r"|\b(?:statement|option|answer|choice)s? (?:is|are) (?:false|incorrect|not true)\b"
    r"|\b(?:FALSE|INCORRECT)\b",
)
_OVERHEAD = re.compile(
    r"\bLEAST\s+(?:amount\s+of\s+)?(?:operational|administrative|management|development|implementation"
    r"|coding|effort|overhead|infrastructure|maintenance|ML expertise|expertise)"
    r"|\bleast\s+(?:operational\s+)?(?:overhead|effort)\b|\bminimal\s+(?:operational\s+)?(?:effort|overhead)\b"
    r"|\bfewest\s+(?:steps|changes)\b|\bwithout\s+(?:managing|provisioning)\b",
    re.I,
)
_COST = re.compile(
    r"\bMOST\s+cost[- ]effective|\bLEAST\s+(?:expensive|costly|cost)|\bcheapest\b|\blowest\s+cost\b"
    r"|\bmost\s+cost[- ]effective\b",
    re.I,
)
# what people type around a pasted question; not part of it
_ASIDE = re.compile(
    r"^\s*(?:(?:hi|hey|hello)[,!.\s]+)?(?:(?:can|could) (?:you|someone) )?(?:please )?"
    r"(?:(?:which|what)(?: one| option| answer)? is (?:right|correct)(?: and why)?"
    r"|(?:help|explain)(?: me)?(?: with)?(?: this| the following)?(?: question)?"
    r"|i (?:got|get) this (?:one )?wrong|i don'?t get (?:this|it)|(?:and )?why\??|thanks?(?: you)?"
    r"|here'?s? (?:a|the|this) question|practice question|question \d+(?: of \d+)?)[\s:?!.,]*$",
    re.I,
)


class PastedQuestion(BaseModel):
    """A multiple-choice question taken out of a message."""

    stem: str = Field(description="The question text, without the options; may be empty.")
    options: dict[str, str] = Field(description="Letter → option text, in the order pasted.")
    pick: int = Field(1, ge=1, le=4, description="How many options the question asks for.")
    qualifier: Qualifier = Field("best", description="What the stem asks for, beyond 'the best'.")
    key: list[str] = Field(default_factory=list, description="An answer key pasted along, if any.")
    missing_figure: bool = Field(False, description="The stem refers to a picture that is not there.")
    problems: list[str] = Field(default_factory=list, description="What is odd about the paste.")

    @property
    def text(self) -> str:
        """The question as one plain block, for a model prompt or the JSON output."""
        lines = [self.stem, *(f"{k}. {v}" for k, v in self.options.items())]
        return "\n".join(x for x in lines if x)


def _markers(text: str, style: str) -> list[re.Match[str]]:
    pattern = re.compile(rf"(?:(?<=^)|(?<=[\s\n]))(?:{_STYLES[style]})(?=\s+\S)", re.M)
    found = list(pattern.finditer(text))
    if not found:
        return []
    # one case per paste: "a. … b. …" or "A. … B. …", never mixed
    upper = [m for m in found if m.group("l").isupper()]
    lower = [m for m in found if m.group("l").islower()]
    return upper if len(upper) >= len(lower) else lower


def _run(found: list[re.Match[str]]) -> list[re.Match[str]]:
    """The longest chain of markers starting at 'A' whose letters never go back by much: real
    options, not a stray "a." inside a sentence. Repeated letters are kept (reported later)."""
    best: list[re.Match[str]] = []
    for start, first in enumerate(found):
        if first.group("l").upper() != "A":
            continue
        chain = [first]
        for m in found[start + 1 :]:
            step = LETTERS.index(m.group("l").upper()) - LETTERS.index(chain[-1].group("l").upper())
            if 0 <= step <= 2:  # the next letter, a skipped one, or a repeat
                chain.append(m)
        if len(chain) > len(best):
            best = chain
    return best


def _strip_key(text: str) -> tuple[str, list[str]]:
    match = _KEY.search(text)
    if not match:
        return text, []
    keys = sorted(set(re.findall(r"[A-H]", match.group("keys"))))
    return text[: match.start()].rstrip(), keys


def _clean_stem(parts: list[str]) -> str:
    lines = []
    for part in parts:
        for line in part.splitlines():
            if line.strip() and not _ASIDE.match(line):
                lines.append(line.strip())
    stem = " ".join(lines)
    return re.sub(r"^\s*(?:Q(?:uestion)?\s*\d*\s*[:.)]\s*|\d{1,3}\s*[.)]\s+)", "", stem).strip()


def parse_pasted_question(text: str) -> PastedQuestion | None:
    """The multiple-choice question in a message, or None when it holds none (3+ lettered options)."""
    if not text or len(text) > 20000:
        return None
    body, key = _strip_key(text.replace("\r", ""))
    best: list[re.Match[str]] = []
    for style in _STYLES:
        chain = _run(_markers(body, style))
        if len(chain) > len(best):
            best = chain
    if len(best) < MIN_OPTIONS:
        return None
    options: list[tuple[str, str]] = []
    trailing = ""
    for n, m in enumerate(best):
        end = best[n + 1].start() if n + 1 < len(best) else len(body)
        chunk = body[m.end() : end]
        if n + 1 == len(best):  # the last option ends at its line; later lines are the asker's
            first, _, rest = chunk.strip("\n ").partition("\n")
            chunk, trailing = first, rest
        option = " ".join(chunk.split()).strip(" ;,")
        if option.endswith(".") and option.count(".") == 1:  # "D. Amazon Lex." - the period is the paste's
            option = option[:-1]
        options.append((m.group("l").upper(), option))
    if sum(1 for _, t in options if t) < MIN_OPTIONS:
        return None
    problems: list[str] = []
    letters = [letter for letter, _ in options]
    if len(set(letters)) != len(letters):
        problems.append("duplicate letters")
        options = [(LETTERS[i], t) for i, (_, t) in enumerate(options)]
    elif letters != list(LETTERS[: len(letters)]):
        problems.append("skipped letters")
    if len(options) > MAX_EXAM_OPTIONS:
        problems.append("more than six options")
    stem = _clean_stem([body[: best[0].start()], trailing])
    whole = f"{stem} {text}"
    pick = 1
    if m := _SELECT.search(whole):
        pick = min(_NUMBER_WORDS[m.group(1).lower()], len(options) - 1)
    elif len(key) > 1:
        pick = len(key)
    qualifier: Qualifier = "best"
    if _NEGATIVE.search(stem):
        qualifier = "negative"
    elif _OVERHEAD.search(stem):
        qualifier = "least_overhead"
    elif _COST.search(stem):
        qualifier = "cost"
    if not stem:
        problems.append("no stem")
    return PastedQuestion(
        stem=stem,
        options=dict(options),
        pick=pick,
        qualifier=qualifier,
        key=[k for k in key if k in dict(options)],
        missing_figure=bool(_FIGURE.search(stem)),
        problems=problems,
    )
