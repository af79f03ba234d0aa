"""Query words corrected against the notes' own vocabulary, shorthand and acronyms expanded.

rapidfuzz does the edit distances; the vocabulary is every word of the notes, so a correction can
only ever land on a word the notes use ("temprature" → "temperature")."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from bm25s.stopwords import STOPWORDS_EN
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from agents.tutor.library import Library
from knowledge.documents import YAML_LOADER

MISSPELLING_MAX_USES = 2
MISSPELLING_RATIO = 50  # the word it stands for is used this many times more often
ALIASES_FILE = Path(__file__).with_name("aliases.yaml")
_TOKEN = re.compile(r"[^\W\d_][\w-]*\w|[^\W\d_]")  # whole words, accented letters included
# chat words that are not in the notes and must not be "corrected" into notes words
_CHAT_WORDS = """
dont doesnt didnt isnt arent wont cant im ive youre whats hows whys thats pls plz please thanks
explain simpler simply eli5 tell describe summarize summarise summary define meaning mean means
difference differences compare versus cheat sheet give show quiz hey okay ok lol gonna wanna kinda
really actually basically
"""
_CHAT = frozenset(_CHAT_WORDS.split())
_NEGATION = re.compile(r"^(?:in|un|non-?|dis|im|ir|il|mis)")


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    data = yaml.load(ALIASES_FILE.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
    return {str(k).lower(): str(v).lower() for k, v in data.items()}


def _stems(words: object) -> set[str]:
    from agents.tutor.composer import terms

    return terms(" ".join(words))  # type: ignore[arg-type]


class Speller:
    """Corrects and expands one query at a time; built once per library."""

    def __init__(self, library: Library) -> None:
        self.frequency = library.vocabulary
        self.words = [w for w, n in library.vocabulary.items() if len(w) >= 3]
        self.known = set(library.vocabulary) | set(STOPWORDS_EN) | _CHAT
        self.acronyms = library.acronyms
        self.keyword_only = library.keyword_only
        self.known_stems = _stems(library.vocabulary)

    def correct_word(self, word: str) -> str:
        lower = word.lower()
        if len(lower) < 4 or not lower.isascii() or any(ch.isdigit() for ch in lower):
            return word
        if lower in self.known:
            return self._listed_misspelling(lower) or word
        limit = 1 if len(lower) <= 6 else 2
        found = process.extract(lower, self.words, scorer=Levenshtein.distance, score_cutoff=limit, limit=8)
        if not found:
            return word
        # the closest word; among equals the most alike ("recal" → "recall", not "real"), then the
        # one the notes use most
        best = min(found, key=lambda hit: (hit[1], -fuzz.ratio(lower, hit[0]), -self.frequency[hit[0]]))
        if _NEGATION.sub("", lower) == best[0] or _NEGATION.sub("", best[0]) == lower:
            return word  # "incorrectly" is a word the notes don't use, not a typo of "correctly"
        return best[0]

    def _listed_misspelling(self, lower: str) -> str | None:
        """The word a misspelling stands for when the notes list it among a section's keywords
        ("bedrok" for "bedrock"): a word used once or twice, one edit away from a word used
        far more often."""
        count = self.frequency.get(lower, 0)
        if not 0 < count <= MISSPELLING_MAX_USES or len(lower) < 5 or lower not in self.keyword_only:
            return None
        found = process.extract(lower, self.words, scorer=Levenshtein.distance, score_cutoff=1, limit=8)
        common = [
            w
            for w, _, _ in found
            if w != lower
            and self.frequency[w] >= MISSPELLING_RATIO * count
            # "inferences" is a plural of "inference" and "kmeans" is k-means, not "means"
            and not (lower.startswith(w) or lower.endswith(w))
        ]
        if not common or _NEGATION.sub("", lower) in common:
            return None
        return max(common, key=lambda w: self.frequency[w])

    def correct(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The text with misspelt words replaced, and the (typed, corrected) pairs."""
        changes: list[tuple[str, str]] = []

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            fixed = self.correct_word(word)
            if fixed.lower() != word.lower():
                changes.append((word, fixed))
            return fixed

        return _TOKEN.sub(fix, text), changes

    def expand(self, text: str) -> str:
        """Aliases and acronyms written out next to what was typed, so both forms are searched."""
        lower = " " + re.sub(r"[^a-z0-9-]+", " ", text.lower()) + " "
        content = [w for w in lower.split() if w not in STOPWORDS_EN and w not in _CHAT]
        extra = []
        # only a shorthand that is most of the question is its topic: in "temperature in llms"
        # spelling out LLM would pull the search away from temperature
        for short, full in aliases().items():
            if f" {short} " in lower and full not in lower and len(short.split()) * 2 > len(content):
                extra.append(full)
        for token in _TOKEN.findall(text):
            full = self.acronyms.get(token.lower())
            if full and (len(token) >= 3 or token.isupper()) and full not in lower and len(content) < 2:
                extra.append(full)
        return f"{text} ({', '.join(dict.fromkeys(extra))})" if extra else text

    def normalise(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        corrected, changes = self.correct(text)
        return self.expand(corrected), changes
