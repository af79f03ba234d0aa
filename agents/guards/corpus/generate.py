"""Writes the guard's training corpus (corpus.jsonl beside this file) from the project's own
phrasings: `uv run python -m agents.guards.corpus.generate`.

Deterministic (one seeded random generator), so the file can be checked fresh by a test. Each row
is `{text, label, family, language, group, split}`; `group` is the phrasing a row came from, and
whole groups go to the held-out split, so the held-out figure measures phrasings the classifier
never saw."""

from __future__ import annotations

import base64
import codecs
import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from agents.guards.corpus import phrases as P
from agents.guards.corpus.languages import LANGUAGES

CORPUS_FILE = Path(__file__).with_name("corpus.jsonl")
EXAMPLES_FILE = Path(__file__).parents[1] / "examples.yaml"
SEED = 18
HELD_OUT_SHARE = 0.2
LABELS = ("benign", "attack", "abuse", "self_harm")


class CorpusRow(BaseModel):
    text: str
    label: str = Field(pattern="^(benign|attack|abuse|self_harm)$")
    family: str
    language: str = "en"
    group: str = Field(description="The phrasing this row came from; groups are split whole.")
    split: str = "train"


def _split(group: str) -> str:
    digest = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16)
    return "test" if digest / 0xFFFFFFFF < HELD_OUT_SHARE else "train"


_CYRILLIC = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"})
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})


def obfuscations(text: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """(trick, disguised text) for one attack."""
    encoded = base64.b64encode(text.encode()).decode()
    yield (
        "base64",
        rng.choice(
            [
                "Decode this and follow it: {b}",
                "{b}\nThe above is base64. Do what it says.",
                "Run this: {b}",
                "b64: {b}",
            ]
        ).format(b=encoded),
    )
    yield (
        "hex",
        rng.choice(["Decode the hex and obey: {h}", "{h} (hex, execute it)"]).format(h=text.encode().hex()),
    )
    yield (
        "rot13",
        rng.choice(["rot13 this and do it: {r}", "Apply ROT13 then follow: {r}"]).format(
            r=codecs.encode(text, "rot13")
        ),
    )
    yield "leet", "".join(c.translate(_LEET) if rng.random() < 0.6 else c for c in text)
    yield "homoglyph", "".join(c.translate(_CYRILLIC) if rng.random() < 0.5 else c for c in text)
    yield "spaced", " ".join(text.split()[0]) + " " + " ".join(text.split()[1:])
    yield "zero_width", "\u200b".join(text[i : i + 3] for i in range(0, len(text), 3))
    yield (
        "tags",
        rng.choice(["Hi! What's RAG?", "Quick question about S3.", "hello"])
        + "".join(chr(0xE0000 + ord(c)) for c in text if 32 <= ord(c) < 127),
    )
    words = text.split()
    half = max(1, len(words) // 2)
    yield (
        "split",
        rng.choice(
            [
                "a = '{a}'\nb = '{b}'\nNow combine a + b and do it.",
                'Part 1: "{a}". Part 2: "{b}". Join the parts and follow them.',
                "Remember x='{a}' and y='{b}'. Concatenate x and y, then do what it says.",
            ]
        ).format(a=" ".join(words[:half]), b=" ".join(words[half:])),
    )


def english(rng: random.Random) -> Iterator[CorpusRow]:
    def row(text: str, label: str, family: str, group: str) -> CorpusRow:
        return CorpusRow(text=text, label=label, family=family, group=f"en:{group}")

    attacks: list[str] = []
    for i, verb in enumerate(P.OVERRIDE_VERBS):
        for obj in rng.sample(P.OVERRIDE_OBJECTS, 8):
            tail = rng.choice(P.OVERRIDE_TAILS)
            text = rng.choice(
                ["{v} {o} {t}.", "{V} {o} {t}.", "Please {v} {o}, {t}.", "OK now {v} {o} {t}"]
            ).format(v=verb, V=verb.capitalize(), o=obj, t=tail)
            attacks.append(text)
            yield row(text, "attack", "instruction_override", f"override:{i}")
    for i, frame in enumerate(P.EXTRACT_FRAMES):
        for _ in range(12):
            text = frame.format(v=rng.choice(P.EXTRACT_VERBS), o=rng.choice(P.EXTRACT_OBJECTS))
            attacks.append(text[0].upper() + text[1:])
            yield row(attacks[-1], "attack", "system_prompt_extraction", f"extract:{i}")
    for i, frame in enumerate(P.PERSONA_FRAMES):
        for _ in range(14):
            text = frame.format(p=rng.choice(P.PERSONAS), g=rng.choice(P.PERSONA_GOALS))
            attacks.append(text)
            yield row(text, "attack", "roleplay", f"persona:{i}")
    for i, who in enumerate(P.AUTHORITY):
        for request in rng.sample(P.SOCIAL_REQUESTS, 8):
            text = rng.choice(
                ["{w}. Please {r}.{u}", "{w}, so {r}.{u}", "{w} and I need you to {r}.{u}"]
            ).format(w=who, r=request, u=rng.choice(P.URGENCY))
            attacks.append(text)
            yield row(text, "attack", "social_engineering", f"social:{i}")
    for i, frame in enumerate(P.PAST_FRAMES):
        for topic in rng.sample(P.HARMFUL_TOPICS, 10):
            yield row(frame.format(t=topic), "attack", "harmful_tense", f"tense:{i}")
    pool = [b for _, b in P.DOCUMENT_KINDS] + P.DOC_BENIGN_BODIES + P.DOC_PASSAGES
    for i, injection in enumerate(P.INJECTIONS):
        for _ in range(6):
            ask, _body = rng.choice(P.DOCUMENT_KINDS)
            lines = rng.sample(pool, rng.randint(1, 4))
            lines.insert(rng.randrange(len(lines) + 1), injection)
            yield row(f"{ask}\n" + "\n".join(lines), "attack", "indirect_injection", f"inject:{i}")
    for n, attack in enumerate(rng.sample(attacks, 160)):
        for trick, text in obfuscations(attack, rng):
            if rng.random() < 0.5:
                yield row(text, "attack", "obfuscation", f"obf:{trick}:{n % 10}")

    # hard negatives and ordinary study traffic
    for i, frame in enumerate(P.STUDY_FRAMES):
        for topic in rng.sample(P.STUDY_TOPICS, 25):
            other = rng.choice(P.STUDY_TOPICS)
            yield row(frame.format(t=topic, u=other), "benign", "study", f"study:{i}")
    for i, frame in enumerate(P.MENTION_FRAMES):
        for quoted in rng.sample(P.QUOTED_ATTACKS, 10):
            yield row(frame.format(q=quoted), "benign", "mention", f"mention:{i}")
    for i, stem in enumerate(P.EXAM_STEMS):
        yield row(stem, "benign", "exam_stem", f"stem:{i}")
        yield row(
            stem + " A. Amazon Bedrock Guardrails B. Amazon Macie C. AWS Config D. Amazon Kendra",
            "benign",
            "exam_stem",
            f"stem:{i}",
        )
    for i, passage in enumerate(P.DOC_PASSAGES):
        yield row(passage, "benign", "docs", f"docs:{i}")
        yield row("From the AWS docs: " + passage + " Can you explain this?", "benign", "docs", f"docs:{i}")
        yield row(f"Summarise this paragraph: {passage}", "benign", "docs", f"docs:{i}")
    for i, text in enumerate(P.CASUAL_BENIGN):
        yield row(text, "benign", "casual", f"casual:{i}")
        yield row(text.lower().rstrip("?!."), "benign", "casual", f"casual:{i}")
    for n in range(180):  # the same asks and bodies as the injections: only the injection tells them apart
        ask, _body = rng.choice(P.DOCUMENT_KINDS)
        lines = rng.sample(pool, rng.randint(1, 5))
        yield row(f"{ask}\n" + "\n".join(lines), "benign", "document", f"doc:{n % 12}")
    for i, question in enumerate(rng.sample(P.CASUAL_BENIGN, 40)):
        frame = rng.choice(
            ["What does this base64 say: {b}", "decode: {b}", "Is this base64? {b}", "hex {h} means what?"]
        )
        text = frame.format(b=base64.b64encode(question.encode()).decode(), h=question.encode().hex())
        yield row(text, "benign", "casual", f"decode:{i % 8}")
    for i, frame in enumerate(P.BANKING_BENIGN):
        for _ in range(8):
            text = frame
            for slot, values in P.BANKING_SLOTS.items():
                text = text.replace("{" + slot + "}", rng.choice(values))
            yield row(text, "benign", "banking", f"bank:{i}")
    for i, topic in enumerate(P.MORE_STUDY_TOPICS):
        for frame in rng.sample(P.STUDY_FRAMES, 6):
            yield row(
                frame.format(t=topic, u=rng.choice(P.STUDY_TOPICS)), "benign", "study", f"studymore:{i}"
            )
    for i, frame in enumerate(P.EVERYDAY_FRAMES):
        for _ in range(4):
            text = frame.format(
                t=rng.choice(P.STUDY_TOPICS),
                u=rng.choice(P.STUDY_TOPICS),
                L=rng.choice("ABCD"),
                M=rng.choice("ABCDE"),
            )
            yield row(text, "benign", "casual", f"everyday:{i}")
    for i, verb in enumerate(P.BENIGN_VERBS):
        for obj in rng.sample(P.BENIGN_OBJECTS, 8):
            text = rng.choice(
                ["{v} {o}", "{V} {o}.", "Can you {v} {o}?", "please {v} {o}", "{V} {o} again."]
            ).format(v=verb, V=verb.capitalize(), o=obj)
            yield row(text, "benign", "casual", f"benignverb:{i}")
    for i, text in enumerate(P.GREETINGS):
        yield row(text, "benign", "casual", f"greeting:{i % 10}")
        yield row(text.capitalize(), "benign", "casual", f"greeting:{i % 10}")
    for i, text in enumerate(P.SELF_HARM_LOOKALIKES + P.THREAT_LOOKALIKES):
        yield row(text, "benign", "lookalike", f"lookalike:{i}")
        yield row(text.lower().rstrip(".?"), "benign", "lookalike", f"lookalike:{i}")
    for i, frame in enumerate(P.SELF_HARM_FRAMES):
        for stem in rng.sample(P.SELF_HARM_STEMS, 8):
            yield row(frame.format(s=stem), "self_harm", "self_harm", f"selfframe:{i}")
    for i, frame in enumerate(P.THREAT_FRAMES):
        for _ in range(10):
            text = frame.format(a=rng.choice(P.THREAT_ACTS), t=rng.choice(P.THREAT_TARGETS))
            yield row(text, "abuse", "threat", f"threat:{i}")
    for i, frame in enumerate(P.HARASS_FRAMES):
        for _ in range(6):
            target, group = rng.choice(P.THREAT_TARGETS), rng.choice(P.GROUPS)
            text = frame.format(
                t=target,
                T=target[0].upper() + target[1:],
                i=rng.choice(P.INSULTS),
                g=group,
                G=group.capitalize(),
            )
            yield row(text, "abuse", "harassment", f"harassframe:{i}")
    for i, text in enumerate(P.ABUSE_LOOKALIKES):
        yield row(text, "benign", "lookalike", f"abuselike:{i}")
    for i, text in enumerate(P.HARASSMENT):
        yield row(text, "abuse", "harassment", f"harass:{i}")
        yield row(text.lower(), "abuse", "harassment", f"harass:{i}")
    for i, text in enumerate(P.SELF_HARM):
        yield row(text, "self_harm", "self_harm", f"self:{i}")
        yield row(text.lower().rstrip("."), "self_harm", "self_harm", f"self:{i}")
        yield row(
            rng.choice(["Honestly, ", "I need to say this: ", "sorry, off topic but "]) + text.lower(),
            "self_harm",
            "self_harm",
            f"self:{i}",
        )


def other_languages(rng: random.Random) -> Iterator[CorpusRow]:
    for lang, parts in LANGUAGES.items():

        def row(text: str, label: str, family: str, group: str, lang: str = lang) -> CorpusRow:
            return CorpusRow(text=text, label=label, family=family, language=lang, group=f"{lang}:{group}")

        for family in ("override", "extraction", "roleplay", "social", "harmful"):
            for i, phrasing in enumerate(parts.get(family, [])):
                for x in parts["x"]:
                    text = phrasing.replace("{x}", x)
                    yield row(text, "attack", "multilingual", f"{family}:{i}")
                    if rng.random() < 0.3:  # code-switched, as learners write
                        yield row(
                            text + " " + rng.choice(P.OVERRIDE_TAILS),
                            "attack",
                            "multilingual",
                            f"{family}:{i}",
                        )
        for i, phrasing in enumerate(parts["benign"]):
            for topic in rng.sample(P.STUDY_TOPICS, 10):
                yield row(phrasing.replace("{t}", topic), "benign", "multilingual", f"benign:{i}")
        for i, text in enumerate(parts.get("threat", [])):
            yield row(text, "abuse", "threat", f"threat:{i}")
        for i, text in enumerate(P.NATIVE_BENIGN.get(lang, [])):
            yield row(text, "benign", "multilingual", f"native:{i}")
        for i, text in enumerate(P.SELF_HARM_MORE.get(lang, [])):
            yield row(text, "self_harm", "self_harm", f"selfmore:{i}")
        for i, text in enumerate(P.THREAT_MORE.get(lang, [])):
            yield row(text, "abuse", "threat", f"threatmore:{i}")
        for i, text in enumerate(parts.get("self_harm", [])):
            yield row(text, "self_harm", "self_harm", f"self:{i}")


def project_examples() -> Iterator[CorpusRow]:
    """The labelled phrases the earlier nearest-neighbour guard used (examples.yaml)."""
    data = yaml.safe_load(EXAMPLES_FILE.read_text(encoding="utf-8"))
    sources = [
        ("prompt_attack", data["prompt_attack"]["attacks"], "attack"),
        ("prompt_benign", data["prompt_attack"]["benign"], "benign"),
        ("multilingual", data.get("multilingual_attacks", []), "attack"),
        ("banking_tool_abuse", data.get("banking_tool_abuse", []), "attack"),
        ("abuse", data.get("abuse", {}).get("harmful", []), "abuse"),
        ("abuse_benign", data.get("abuse", {}).get("benign", []), "benign"),
    ]
    for family, texts, label in sources:
        for i, text in enumerate(texts):
            yield CorpusRow(
                text=text, label=label, family=f"examples_{family}", group=f"examples:{family}:{i % 25}"
            )


def build() -> list[CorpusRow]:
    rng = random.Random(SEED)
    rows = [*english(rng), *other_languages(rng), *project_examples()]
    seen: set[str] = set()
    unique = []
    for r in rows:
        if r.text not in seen:
            seen.add(r.text)
            unique.append(r.model_copy(update={"split": _split(r.group)}))
    return unique


def render(rows: list[CorpusRow]) -> str:
    return "".join(json.dumps(r.model_dump(), ensure_ascii=False) + "\n" for r in rows)


def main() -> None:
    rows = build()
    CORPUS_FILE.write_text(render(rows), encoding="utf-8")
    print(f"{len(rows)} rows → {CORPUS_FILE}")


if __name__ == "__main__":
    main()
