"""What a study question asks for, recognised offline: a definition, a comparison, which of two
fits a need, how something works, when to use it, an example, its limits, its pricing, an exam-style
scenario, a summary of a domain or task statement — or a follow-up to the last answer."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

Intent = Literal[
    "definition",
    "comparison",
    "which",
    "how",
    "when",
    "example",
    "limits",
    "pricing",
    "scenario",
    "summary",
    "more",
    "simpler",
]


class Question(BaseModel):
    """A study question taken apart."""

    intent: Intent
    subject: str = Field("", description="What it is about, without the question words.")
    sides: list[str] = Field(default_factory=list, description="The two things a comparison is between.")
    need: str = Field("", description="For 'which one for …': the need the pick must serve.")
    domain: int | None = None
    task: str | None = None
    follow_up: bool = Field(False, description="Refers to the previous answer ('it', 'and …?', 'more').")


_F = re.I
_SUMMARY = re.compile(
    r"\b(summari[sz]e|summary|overview|outline|cheat ?sheet|recap|revision notes|key points"
    r"|run ?down|in a nutshell|high[- ]level view|big picture|tl;?dr|main (?:points|topics|ideas))\b"
    r"|\bwhat(?:'s| is| does)? (?:in|covered in|cover(?:ed)? (?:by|in)) (?:the )?(domain|task)\b"
    # "what topics are in task 4.2", "what should I know for domain 1", "what does task 1.2 cover"
    r"|\bwhat (?:topics|sections|subjects) (?:are |do )?(?:in|under|for|does|make up)\b.*\b(?:domain|task)\b"
    r"|\bwhat (?:should|do|must) i (?:know|learn|study|cover|revise) (?:for|in|about)"
    r" (?:the )?(?:domain|task)\b"
    r"|\bwhat (?:does|do) (?:the )?(?:domain|task)(?: statement)? [\d.]+ (?:cover|include|contain)\b"
    r"|^\s*(?:go over|walk me through|break down|review) (?:the )?(?:domain|task)(?: statement)?"
    r" [\d.]+\s*[?.!]*\s*$",
    _F,
)
_DOMAIN = re.compile(r"\bdomain\s*([1-5])\b", _F)
_TASK = re.compile(r"\b(?:task(?: statement)?\s*)?([1-5]\.[1-4])\b", _F)
_MORE = re.compile(
    r"^\s*(more|tell me more|go on|continue|keep going|what else|anything else|and\??|more details?|"
    r"show (me )?(the )?rest|the rest|expand( on (that|it"
    r"|this))?|elaborate|more please|go deeper)\s*[.!?]*\s*$",
    _F,
)
_SIMPLER = re.compile(
    r"\b(simpl(er|y|ify)|eli5|like i'?m (five|5|a child|a kid)|plain (english|words|terms)|layman'?s?|"
    r"dumb(ed)? (it )?down|in simple (words|terms)|easier (words|way)|for a beginner|non-?technical)\b",
    _F,
)
_EXAMPLE = re.compile(
    r"\b(examples?|for instance|e\.g\.?|use[- ]cases?|real[- ]world|show me one|illustrat\w*)\b", _F
)
_PRICING = re.compile(
    r"\b(pric\w*|cost(s|ing)?|charg\w*|billed|billing|bill|pay(ing)?|expensive|cheap\w*|fees?)\b", _F
)
_LIMITS = re.compile(
    r"\b(limits?|limitations?|drawbacks?|downsides?|disadvantages?|weakness(es)?|cons|shortcomings?|"
    r"can'?t|cannot|fail\w*|problems? with|risks? of|pitfalls?)\b",
    _F,
)
_WHEN = re.compile(
    r"\bwhen (should|would|do|does|to|is|are|can)\b|\bwhy (would"
    r"|should|do) (i|you|we|anyone) use\b|\bwhy use\b"
    r"|\b(best|good) (for|fit)\b|\bin what (cases?|situations?)\b",
    _F,
)
_HOW = re.compile(
    r"^\s*how to\b|^\s*how (does|do|is|are|can|did|should|would)\b(?!.*\b(differ|different|compare)\b)"
    r"|\bhow .* works?\b|\bsteps?\b"
    r"|\bprocess of\b|\bwhat happens\b|\bwork(s|ing)? under the hood\b|\bpipeline\b",
    _F,
)
_SCENARIO = re.compile(
    # "a support team", "an online retailer": up to two words may describe who it is
    r"\b(a|an|the|our|my)(?: [\w'-]+){0,2}? (company|organi[sz]ation|business|team|startup|bank|"
    r"retailer|hospital|insurer|"
    r"developer|data scientist|engineer|firm|store|app|school|university|agency|manufacturer|user|"
    r"customer|enterprise|group|lab|media company|call cent(er|re)|law firm|clinic|airline)s?\b"
    r".*\b(wants?|needs?|must|has|have|is|would like|plans?|requires?|looking|uses|runs|receives|stores"
    r"|collects|built|operates|serves|keeps)\b",
    _F,
)
_WHICH = re.compile(
    r"\bwhich (one|service|option|tool|approach|model|technique"
    r"|method|feature|metric|aws \w+|is (better|best|right)|(is|are) (\w+er|more \w+|less \w+))\b"
    r"|\bwhat (service|aws service|option|tool|approach|should)\b|\bshould (i|we|they|it) (use|pick|choose)\b"
    r"|\bbest (service|option|choice|tool)\b|\bbetter than\b|\b(pick|choose|decide) between\b",
    _F,
)
# "Bedrock or SageMaker?", "Kendra or Q Business for enterprise search": a short question of two
# names is a choice between them
_SHORT_OR = re.compile(
    r"^(?=.{0,90}$)(?!\s*(?:what|how|why|when|where|who|is|are|does|do|can|will|was|were)\b)"
    r"\s*(?P<a>[\w.'/()-]+(?: [\w.'/()-]+){0,3}?)\s+or\s+(?P<b>[\w.'/()-]+(?: [\w.'/()-]+){0,3}?)"
    r"(?:\s+(?:for|to|when|if)\s+.+?)?\s*[?.!]*\s*$",
    _F,
)
_COMPARE_PATTERNS = [
    re.compile(
        r"\b(?:difference|differences|diff|differ\w*|distinguish|tell apart)\s+(?:between"
        r"|of)\s+(?P<a>.+?)\s+(?:and|&|vs\.?|versus)\s+(?P<b>.+)",
        _F,
    ),
    re.compile(r"\b(?:compare|contrast)\s+(?P<a>.+?)\s+(?:and|with|to|vs\.?|versus|&)\s+(?P<b>.+)", _F),
    # "how do CloudWatch and CloudTrail differ", "what distinguishes supervised from unsupervised"
    re.compile(
        r"\bhow (?:is|are|does|do)\s+(?P<a>[\w .'/()-]+?)\s+(?:and|&)\s+(?P<b>[\w .'/()-]+?)\s+"
        r"(?:differ|compare|relate)\b",
        _F,
    ),
    re.compile(
        r"\b(?:distinguish(?:es)?|tell|separates?|sets?)\s+(?P<a>[\w .'/()-]+?)\s+(?:apart\s+)?from"
        r"\s+(?P<b>.+)",
        _F,
    ),
    re.compile(r"\b(?:pick|choose|decide) between\s+(?P<a>[\w .'/()-]+?)\s+(?:and|or)\s+(?P<b>.+)", _F),
    re.compile(r"\b(?P<a>[\w .'/()-]+?)\s+better than\s+(?P<b>.+)", _F),
    re.compile(
        r"\bhow (?:is|are|does|do)\s+(?P<a>.+?)\s+(?:differ(?:ent)?|compare)\s+(?:from|to|with)\s+(?P<b>.+)",
        _F,
    ),
    re.compile(r"\b(?P<a>[\w .'/()-]+?)\s+(?:vs\.?|versus|v\.|compared (?:to|with))\s+(?P<b>.+)", _F),
    # "when would I pick Comprehend over Textract", "is Lex the same as Polly", "X and Y: same thing?"
    re.compile(
        r"\b(?:pick|choose|use|prefer|go with|opt for|select)\s+(?P<a>[\w .'/()-]+?)\s+over\s+(?P<b>.+)", _F
    ),
    re.compile(
        r"^(?=.{0,80}$)\s*(?:is|are)\s+(?P<a>[\w .'/()-]+?)\s+(?:the same(?: thing)? as|similar to|like"
        r"|related to|just)\s+(?P<b>[\w .'/()-]+?)\s*[?.!]*\s*$",
        _F,
    ),
    re.compile(
        r"^(?=.{0,80}$)\s*(?:are\s+)?(?P<a>[\w .'/()-]+?)\s+and\s+(?P<b>[\w .'/()-]+?)\s+"
        r"(?:the same(?: thing)?"
        r"|different|similar)\b",
        _F,
    ),
    _SHORT_OR,
    re.compile(r"\b(?P<a>[\w .'/()-]+?)\s+(?:instead of|rather than|or)\s+(?P<b>[\w .'/()-]+)", _F),
]
_NEED = re.compile(r"\bfor\s+(?P<need>.+?)(?:[,:?]|$|\s+(?:should|is|would)\b)", _F)
_QUESTION_WORDS = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|so|hey|hi|please|pls|can you|could you|would you|tell me|explain|describe|define|"
    r"what(?:'s| is| are| does| do)?|who|why|how|which|when"
    r"|where|i (?:don'?t|dont|do not) (?:get|understand)|"
    r"give me|show me|remind me|help me understand|(?:walk|take|run|talk) me through|go through|"
    r"in plain english|simply|briefly|quickly|is|are|the|a|an|"
    r"what'?s the|mean(?:s|ing)?(?: of)?|meaning of|definition of|the difference between|difference between|"
    r"(?:the )?(?:point|purpose|role|idea|concept|basics|gist) of|"
    r"about|again)[\s,:]+)+",
    _F,
)
_TRAILING = re.compile(
    r"(\s+(?:in (?:plain english|simple terms|simple words"
    r"|llms?|ai|ml|the exam|aws|bedrock)|for (?:the )?exam|"
    r"please|pls|again|exactly|mean|means|actually|for me|on aws|like i'?m (?:five|5)|do|does|work|works|"
    r"used for|for|stand for|is|are|all about|about))+\s*$",
    _F,
)
_PRONOUN_ONLY = re.compile(
    r"^\s*(it|that|this|they|them|those|these|one|ones|the (first|second|former|latter))?\s*$", _F
)
_REFERS_BACK = re.compile(
    r"^\s*(and|also|but|so|what about|how about|then)\b|\b(it"
    r"|its|it's|they|them|their|that one|this one|the same)\b",
    _F,
)


def clean_subject(text: str) -> str:
    """The topic words of a question: 'what is temperature in llms?' → 'temperature'."""
    subject = re.sub(r"[?!.]+", " ", text)
    subject = _QUESTION_WORDS.sub("", subject)
    subject = _TRAILING.sub("", subject)
    subject = re.sub(r"^(the|a|an|is|are)\s+", "", subject.strip(" ,:;'\""), flags=re.I)
    return " ".join(subject.split())


def _sides(text: str) -> list[str] | None:
    for n, pattern in enumerate(_COMPARE_PATTERNS):
        if n == len(_COMPARE_PATTERNS) - 1 and not _WHICH.search(text):
            continue  # "X or Y" compares only in "which …" questions
        where = text
        stem = _SCENARIO.search(text) and len(text.split()) >= 14
        if stem or (n == len(_COMPARE_PATTERNS) - 1 and len(text.split()) >= 20):
            # in a scenario the options are in the question, not the stem: "… positive or
            # negative. Which AWS service?" and "… compare their metrics and parameters." name
            # no sides
            where = re.split(r"(?<=[.!?])\s+", text.strip())[-1]
        match = pattern.search(where)
        if match:
            a = clean_subject(match.group("a"))
            a = re.sub(r"^.*\b(?:use|pick|choose|between)\s+", "", a, flags=re.I)
            b = clean_subject(
                re.split(r"\s+(?:for|when|if|to)\s+|[,:;]|\s[-–—]\s", match.group("b"), maxsplit=1)[0]
            )
            a = re.split(r"[,:;]", a)[-1].strip()
            if a and b and a.lower() != b.lower():
                return [a, b]
    return None


# "how does LoRA reduce the cost of fine-tuning" asks how it works, not what it costs
_SAVES = re.compile(r"^\s*how (?:does|do|can|is|are)\b.*\b(?:reduc\w*|cut\w*|lower\w*|sav\w*)\b", _F)


def _specific(text: str, subject: str) -> Intent:
    """The most specific kind a non-comparison question asks for."""
    if _SIMPLER.search(text):
        return "simpler"
    if _PRICING.search(text) and not _SAVES.search(text):
        return "pricing"
    if _EXAMPLE.search(text):
        return "example"
    if _LIMITS.search(text):
        return "limits"
    if _WHEN.search(text):
        return "when"
    if _HOW.search(text):
        return "how"
    return "definition"


_BOTH = re.compile(
    r"\b(compare|comparison|differ\w*|diff|vs\.?|versus"
    r"|which (?:one|is better|of (?:them|the two|these|those)))\b",
    _F,
)
_THEM = re.compile(r"\b(them|the two|both|these two|those two|they|each other|which one)\b", _F)


def classify(text: str, previous: Question | None = None, earlier: str | None = None) -> Question:
    """Take a question apart; `previous` is the last question asked in this conversation and
    `earlier` the topic asked about before it (for "compare them")."""
    text = " ".join(text.split())
    if previous and earlier and _BOTH.search(text) and _THEM.search(text) and not _sides(text):
        current = previous.subject or (previous.sides[-1] if previous.sides else "")
        if current and current.lower() != earlier.lower():
            which = bool(re.search(r"\bwhich\b|\bbetter\b|\bshould\b", text, re.I))
            need = clean_subject(_THEM.sub(" ", _BOTH.sub(" ", text))) if which else ""
            return Question(
                intent="which" if which else "comparison", sides=[earlier, current], need=need, follow_up=True
            )
    domain = int(m.group(1)) if (m := _DOMAIN.search(text)) else None
    task = m.group(1) if (m := _TASK.search(text)) else None
    if _SUMMARY.search(text) and (domain or task or len(text.split()) <= 12):
        return Question(
            intent="summary", subject=clean_subject(_SUMMARY.sub(" ", text)), domain=domain, task=task
        )
    if _MORE.match(text):
        return Question(intent="more", follow_up=previous is not None)
    sides = _sides(text)
    words = len(text.split())
    if sides:
        asks = _WHICH.search(text) or _SHORT_OR.match(text)
        need = m.group("need").strip() if (m := _NEED.search(text)) and asks else ""
        intent: Intent = "which" if _WHICH.search(text) or need else "comparison"
        # "how is it different from Inspector?": one side is the previous topic
        if previous and _PRONOUN_ONLY.match(sides[0]):
            sides[0] = (
                previous.subject or previous.sides[0] if (previous.subject or previous.sides) else sides[0]
            )
            return Question(intent=intent, sides=sides, need=need, follow_up=True)
        return Question(intent=intent, sides=sides, need=need)
    if previous and (
        m := re.search(r"\b(?:differ\w*|compare\w*|vs\.?|versus)\s+(?:from|to|with)?\s*(?P<b>.+)", text, re.I)
    ):
        other = clean_subject(m.group("b"))
        if other and not _PRONOUN_ONLY.match(other):
            base = previous.subject or (previous.sides[0] if previous.sides else "")
            return Question(intent="comparison", sides=[base, other], follow_up=True)
    if (
        (_SCENARIO.search(text) and (_WHICH.search(text) or words >= 14))
        or (words >= 8 and re.match(r"^\s*(which|what) (aws )?(service|feature|tool)\b", text, re.I))
        or (words >= 10 and _WHICH.search(text) and re.search(r"[.?!]\s+\S", text))
    ):
        return Question(intent="scenario", subject=text)
    subject = clean_subject(text)
    intent = _specific(text, subject)
    if intent != "definition":
        subject = _topic_words(subject, intent) or subject
    refers_back = (
        previous is not None
        and words <= 12
        and (
            _PRONOUN_ONLY.match(clean_subject(re.sub(r"\b(and|also|so|but)\b", " ", text, flags=re.I)))
            or _REFERS_BACK.search(text)
            or not _topic_words(subject, intent)
        )
    )
    if refers_back and previous is not None:
        rest = _topic_words(subject, intent)
        base = previous.subject or (previous.sides[0] if previous.sides else "")
        if rest and re.match(r"^\s*(and|what about|how about|also)\b", text, re.I):
            # "and model monitor?": the same kind of question about something new
            carried = (
                previous.intent
                if previous.intent not in ("more", "summary", "scenario", "which", "comparison")
                else "definition"
            )
            return Question(
                intent=intent if intent != "definition" else carried, subject=rest, follow_up=True
            )
        if not rest or _PRONOUN_ONLY.match(rest):
            return Question(
                intent=intent,
                subject=base,
                sides=previous.sides if intent == "simpler" else [],
                follow_up=True,
            )
        if _REFERS_BACK.search(text) and base:
            # "how big is it for claude?": the last topic, narrowed by the new words
            return Question(intent=intent, subject=f"{base} {rest}", follow_up=True)
    return Question(intent=intent, subject=subject, domain=domain, task=task)


_INTENT_WORDS = re.compile(
    r"\b(give|show|me|an?|the|another|some|other|one|example"
    r"|examples|use cases?|for instance|how|is|are|it|its|"
    r"it's|that|this|they|them|priced|pricing|price|cost|costs|charged|billed|what|about|and|also|so|but|"
    r"limits?|limitations?|drawbacks?|downsides?|when|should|would|i|we|you|use|it|why|does|do|work|works|"
    r"explain|simpler|simply|like|i'?m|five|5|plain|english|terms|words|in|of|to|for|on|with|then|please|"
    r"again|more|tell|real|world|eli5|there|any|can|could|much|risks?|cons|pay|mean|means|layman'?s?|dumb|down|"
    r"matters?|important|importance|useful|care|relevant|point|benefits?|good|exam|big|large|size|really)\b",
    re.I,
)


def _topic_words(subject: str, intent: Intent) -> str:
    rest = _INTENT_WORDS.sub(" ", re.sub(r"[^\w\s'-]", " ", subject))
    return " ".join(rest.split())
