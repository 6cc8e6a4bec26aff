"""Patterns for organisations, models and people: capitalised names in the positions those take."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entities.found import (
    CONNECTED_NAME,
    LIST_RE,
    NAME_SEQ,
    NAME_TOKEN,
    Found,
    at_sentence_start,
    clean_name,
    plausible_name,
    split_list,
)
from ingest.entities.text import Segment
from ingest.entities.vocabulary import (
    AMBIGUOUS_GIVEN_NAMES,
    FUNCTION_WORDS,
    MODEL_TIERS,
    MONTHS_AND_DAYS,
    NUMBERED_NOUNS,
    ORG_HEADS,
    ORG_OPENERS,
    ORG_SUFFIX_AI,
    PERSON_TITLES,
    given_names,
)

ORG_NAME_RE = re.compile(rf"\b({CONNECTED_NAME})\b")
ORG_ROLE_RE = re.compile(
    r"\b(?:(?:researchers?|engineers?|scientists?|employees?|staff|friends|folks|teams?|colleagues|leadership|"
    r"people)\s+(?:at|from)|(?:CEO|CTO|CPO|head|founders?|co-?founders?)\s+(?:at|of|from)|(?:works?|worked|"
    rf"working|jobs?|interned?)\s+at|joined|left|leaving|founded)\s+({NAME_SEQ})"
)
ORG_POSSESSIVE_RE = re.compile(
    rf"\b({NAME_SEQ})(?:'s|’s)\s+(?:CEO|CTO|CPO|founders?|co-?founders?|researchers?|teams?|employees|engineers|"
    r"leadership|headcount|API|models|strategy|business|chief|head|labs?|chatbots?|flagship|GPUs?|"
    r"clusters?|compute|stock|shareholders|board|investors?|terms of service|system cards?|blog posts?|"
    r"announcements?|website|latest models?|latest releases?|new models|research team|policy team|papers?|"
    r"products?|programs?|foray|next generation|official|offerings?|ecosystem)\b"
)
ORG_VERB_RE = re.compile(
    rf"\b({NAME_SEQ})\s+(?:(?:has|had|have|just|also|recently|quietly|finally|already|\w+ly)\s+){{0,3}}(?:released|"
    r"launched|announced|open-sourced|raised|acquired|hired|unveiled|shipped|published|partnered|invested|sued|"
    r"confirmed|highlighted|claimed|reported|stated|is hiring|bought|spent|spends|partnered)\b"
    # an object must follow: "ChatGPT launched with a murmur" and "X announced by Y" are products
    r"(?!\s+(?:with|in|on|at|to|by|for|as|last|this|yesterday|today|recently|quietly|publicly|early|late|\d)\b)(?![.,;:])"
)
ORG_SOURCE_RE = re.compile(
    r"\b(?:papers?|products?|releases?|tools?|models?|research|researchers|work|folks|people|summary|report|"
    rf"announcement|team)\s+from\s+(?:the\s+)?({NAME_SEQ})(?!\s*\d)"
    # the name ends the phrase: in "models from Western labs" it is an adjective
    rf"(?=\s*$|\s*[.,;:!?)]|\s+(?:{'|'.join(sorted(FUNCTION_WORDS))})\b)(?!['’])"
)
ORG_PLACE_RE = re.compile(
    r"\b(?:[Ww]e|us|[Hh]ere|[Bb]eing|experiments|run|done|built|developed|presented|poster|talk|intern|interned|"
    rf"colleagues|friends)\s+at\s+(?:the\s+)?({NAME_SEQ})"
)
ORG_APPOSITION_RE = re.compile(
    rf"\b({NAME_SEQ})\s+(?:is|was)\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:company|startup|organization|"
    r"organisation|lab|laboratory|nonprofit|non-profit|research group|institute)\b"
)
ORG_TITLE_RE = re.compile(rf"\b({NAME_SEQ})\s+(?:CEO|CTO|CPO|COO|co-?founder|founder|cofounder)\b")
ORG_LIST_RE = re.compile(
    r"\b(?:companies|labs|laboratories|startups|organizations|organisations|providers|firms|institutions|"
    r"competitors|rivals|the likes of)(?::|,?\s+like|,?\s+such as|,?\s+including|,?\s+i\.e\.,?|,?\s+e\.g\.,?)\s+"
    rf"{LIST_RE}"
)
# One word joined to an "AI"/"ML" suffix ("AcmeAI", "zetaML") is how companies name themselves.
JOINED_ORG_RE = re.compile(r"(?<![\w.-])((?:[A-Z][a-z]+|[a-z]{1,2})(?:[A-Z][a-z]+)*(?:AI|ML))(?![\w-])")
# Camel-case words built on a model-naming suffix ("FooGPT", "BarLM", "BazChat", "QuxGen", "Xyz-LM").
SUFFIXED_MODEL_RE = re.compile(r"(?<![\w.-])((?:[A-Z][a-z]+)+(?:GPT|LM|LLM|Chat|Gen|Coder)|[A-Z][a-z]+-LM)(?![\w-])")
MODEL_LIST_RE = re.compile(rf"\b(?:models|LLMs|chatbots|assistants)(?::|\s+like|\s+such as|\s+including)\s+{LIST_RE}")
MODEL_CONTEXT_RE = re.compile(
    r"\b(?:chatting with|chat with|prompting|switched to|switch to|fine-tuned|fine-tuning|distilled from|"
    rf"distilling from|released|launched|trained|training)\s+({NAME_TOKEN})\b(?!['’]s|\s+(?:and|or)\s)"
    rf"|\b({NAME_TOKEN})(?:'s|’s)\s+(?:responses?|answers?|outputs?|personality|style|behaviou?r|capabilities|"
    r"performance|weights|context window|system prompt|character|benchmark scores|scores)\b"
    rf"|\b(?:the\s+)({NAME_TOKEN})\s+(?:model|series|family|chatbot|weights)\b"
)
CAPS_VERSION_RE = re.compile(r"(?<![\w-])([A-Z]{2,})(\d{1,2}(?:\.\d)?[a-zA-Z]?)(?![\w-])")
MODEL_CUE_RE = re.compile(
    r"\b(?:models?|LLMs?|chatbots?|releas\w*|launch\w*|weights|parameters|open-weight|checkpoints?|fine-tun\w*|"
    r"trained|training|API|benchmarks?|reasoning|chat|assistant|tokens|distill\w*|inference)\b",
    re.IGNORECASE,
)
VERSION = r"\d{1,3}(?:\.\d{1,2})?"
SIZE = r"\d+(?:\.\d+)?[BMT]"
HYPHEN_MODEL_RE = re.compile(
    rf"(?<![\w-])((?:[A-Z][A-Za-z]*|[a-z]+[A-Z][A-Za-z]*)(?:-[A-Z][A-Za-z]*)*)-({VERSION}[a-zA-Z]{{0,2}})"
    rf"((?:-(?:[A-Za-z]+|{SIZE}))*)(?![\w-])"
)
SPACED_MODEL_RE = re.compile(
    rf"(?<![\w-])({NAME_TOKEN}(?: {NAME_TOKEN})?) ({VERSION}|[A-Z]\d{{1,2}})((?: {SIZE})?)((?: [A-Za-z]+)?)(?![\w.-])"
)
SIZED_MODEL_RE = re.compile(rf"(?<![\w-])({NAME_TOKEN})[ -]({SIZE})(?![\w-])")
O_SERIES_RE = re.compile(r"(?<![\w-])(o[1-9](?:-(?:mini|pro|preview))?)(?: (Pro|pro|mini))?(?![\w-])")
PERSON_RE = re.compile(
    r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+(?:[A-Z]\.\s+)?((?:Mc|Mac|O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?!['’]?\s*\d)"
)
TITLED_PERSON_RE = re.compile(
    r"\b(?:Professor|Prof\.|Dr\.|CEO|CTO|CPO|founder|co-founder|cofounder)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2})\b"
)
BY_PERSON_RE = re.compile(
    r"\b(?:by|thanks to|Thanks to|[Cc]redit to|[Ss]houtout to|interviewed|interviewing|[Cc]onversation with|"
    r"[Pp]odcast with|[Cc]hatted with|[Tt]alked with)\s+([A-Z][a-z]+\s[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?!\s+\d)"
)
# "Jane Roe, lead of …", "Jane Roe, the CEO of …": a full name with the role it holds.
ROLE_PERSON_RE = re.compile(
    r"(?<!\b[Oo]n )(?<!\b[Aa]t )(?<!\b[Ii]n )\b([A-Z][a-z]+\s[A-Z][a-z]+(?:-[A-Z][a-z]+)?),\s+(?:the\s+|a\s+|an\s+)?(?:lead|head|CEO|CTO|founder|"
    r"co-founder|cofounder|author|professor|director|researcher|scientist|engineer|creator|VP|president|manager)\b"
)
# "GenAI" is generative AI, a field.
JOINED_FIELD_PREFIXES = frozenset({"gen"})
NOT_ORG_WORDS = frozenset(
    """deep open generative general artificial machine human frontier applied basic fundamental safety alignment new
    responsible explainable agentic conversational embodied constitutional trustworthy modern narrow strong weak
    physical""".split()
)


def name_patterns(index: int, segment: Segment, previous: Segment | None) -> Iterator[Found]:
    yield from _organisations(index, segment)
    yield from _models(index, segment)
    yield from _people(index, segment)


# ---------------------------------------------------------------------------------------------- orgs


def _organisations(index: int, segment: Segment) -> Iterator[Found]:
    text = segment.text
    for match in ORG_NAME_RE.finditer(text):
        for name, start in _split_conjoined(clean_name(match.group(1)), text.find(clean_name(match.group(1)), match.start(1))):
            words = name.split()
            if len(words) < 2 or not plausible_name(name):
                continue
            head, opener = words[-1], words[0]
            end = start + len(name)
            if len(words) == 2 and (opener.lower() in NOT_ORG_WORDS or opener.lower() in ORG_HEADS | {"research"}):
                continue  # "Frontier Labs", "Research Lab": a kind of organisation, not one
            if head.lower() in ORG_HEADS or opener.lower() in ORG_OPENERS and len(words) >= 3 or _head_of(words):
                yield Found("Organization", name, index, start, end, "org-name", 2)
            elif head in ORG_SUFFIX_AI and _org_with_suffix(words, text, end):
                yield Found("Organization", name, index, start, end, "org-suffix", 2)
    for match in JOINED_ORG_RE.finditer(text):
        name = match.group(1)
        if name[:-2].lower() not in JOINED_FIELD_PREFIXES:
            yield Found("Organization", name, index, match.start(1), match.end(1), "org-joined", 2)
    for pattern, rule in ((ORG_ROLE_RE, "org-role"), (ORG_POSSESSIVE_RE, "org-possessive"), (ORG_VERB_RE, "org-verb"),
                          (ORG_TITLE_RE, "org-title"), (ORG_SOURCE_RE, "org-source"),
                          (ORG_PLACE_RE, "org-place"), (ORG_APPOSITION_RE, "org-apposition")):
        for match in pattern.finditer(text):
            name = _before_title(clean_name(match.group(1)))
            if _org_candidate(name, text, match.start(1)):
                yield Found("Organization", name, index, match.start(1), match.start(1) + len(name), rule, 1)
    for match in ORG_LIST_RE.finditer(text):
        for item in split_list(match.group(1)):
            name = clean_name(item)
            if _org_candidate(name, text, match.start(1)):
                yield Found("Organization", name, index, match.start(1), match.end(1), "org-list", 1)


def _head_of(words: list[str]) -> bool:
    """ "Acme Institute for Widgets", "Bureau of Things": an organisation's head word followed by its remit."""
    return any(
        word.lower() in ORG_HEADS and word[:1].isupper() and following in ("of", "for")
        for word, following in zip(words[:-1], words[1:])
    )


def _before_title(name: str) -> str:
    """ "Acme CPO Jane Roe" → "Acme": a person's title ends the organisation's name."""
    words = name.split()
    for number, word in enumerate(words):
        if word.lower() in PERSON_TITLES:
            return " ".join(words[:number])
    return name


def _split_conjoined(name: str, start: int) -> list[tuple[str, int]]:
    """ "the Widget Department and Zorbo Labs" is two organisations; "Office of Science and Technology Policy" one."""
    left, sep, right = name.partition(" and ")
    if sep and left.split()[-1].lower() in ORG_HEADS | {"ai"} and not re.search(r"\b(?:of|for|on)\b", left):
        return [(left, start), (right, start + len(left) + len(sep))]
    return [(name, start)]


def _org_with_suffix(words: list[str], text: str, end: int) -> bool:
    """ "Mistral AI" is a company; "Western AI companies" and "Generative AI" are not."""
    before = words[-2]
    if before.lower() in NOT_ORG_WORDS or before.lower() in FUNCTION_WORDS or before.isupper():
        return False
    following = re.match(r"\s+([A-Za-z][\w-]*)", text[end:])
    if following and following.group(1)[0].isupper():
        return False  # "Google AI Studio": the suffix is inside a longer product name
    return not (following and following.group(1) not in FUNCTION_WORDS)


def common_word(name: str, text: str, start: int) -> bool:
    """A lone capitalised word that the text also uses in lower case ("Getting", "Scale"), or that only
    starts a sentence: from context alone it is more likely an ordinary word than a name."""
    if " " in name or not name[:1].isupper() or name[1:] != name[1:].lower() or any(ch.isdigit() for ch in name):
        return False
    return at_sentence_start(text, start) or re.search(rf"\b{re.escape(name.lower())}\b", text) is not None


def _org_candidate(name: str, text: str, start: int) -> bool:
    if common_word(name, text, start):
        return False
    words = name.split()
    if not plausible_name(name) or len(words) > 4 or _looks_like_person(words):
        return False
    if len(words) == 1 and name.isupper() and len(name) <= 2:  # "AI", "ML": a field, not an organisation
        return False
    if len(words) == 1 and name.lower() in ORG_HEADS:  # "Robotics released": the tail of a longer name
        return False
    return not any(word.lower() in MONTHS_AND_DAYS for word in words)


# --------------------------------------------------------------------------------------------- models


def _models(index: int, segment: Segment) -> Iterator[Found]:
    text = segment.text
    cued = bool(MODEL_CUE_RE.search(text))
    for match in HYPHEN_MODEL_RE.finditer(text):
        family, version, rest = match.group(1), match.group(2), match.group(3)
        if family.lower() in NUMBERED_NOUNS or family.lower() in MONTHS_AND_DAYS or _is_year(version):
            continue
        name, alias = _without_size(f"{family}-{version}{rest}")
        yield Found("Model", name, index, match.start(), match.end(), "model-hyphen", 2, alias)
    for match in SPACED_MODEL_RE.finditer(text):
        found = _spaced_model(match, index, text, cued)
        if found:
            yield found
    for match in SIZED_MODEL_RE.finditer(text):
        family = match.group(1)
        if family.lower() not in NUMBERED_NOUNS and family.lower() not in FUNCTION_WORDS and plausible_name(family):
            yield Found("Model", family, index, match.start(), match.end(), "model-size", 2, (match.group(0),))
    for match in SUFFIXED_MODEL_RE.finditer(text):
        yield Found("Model", match.group(1), index, match.start(1), match.end(1), "model-suffix", 2)
    for match in CAPS_VERSION_RE.finditer(text):
        if cued and match.group(1).lower() not in NUMBERED_NOUNS:
            yield Found("Model", match.group(0), index, match.start(), match.end(), "model-caps-version", 1)
    for match in MODEL_CONTEXT_RE.finditer(text):
        group = next(number for number in (1, 2, 3) if match.group(number))
        name = match.group(group)
        if plausible_name(name) and not common_word(name, text, match.start(group)) and name.lower() not in FUNCTION_WORDS:
            yield Found("Model", name, index, match.start(group), match.end(group), "model-context", 1)
    for match in O_SERIES_RE.finditer(text):
        name = match.group(1) + (f" {match.group(2)}" if match.group(2) else "")
        yield Found("Model", name, index, match.start(), match.end(), "model-o-series", 2)
    for match in MODEL_LIST_RE.finditer(text):
        for item in split_list(match.group(1)):
            name = clean_name(item)
            if plausible_name(name) and not _looks_like_person(name.split()):
                yield Found("Model", name, index, match.start(1), match.end(1), "model-list", 1)


def _spaced_model(match: re.Match, index: int, text: str, cued: bool) -> Found | None:
    family, version, size, tier = match.group(1), match.group(2), match.group(3), match.group(4).strip()
    words = family.split()
    if any(word.lower() in NUMBERED_NOUNS or word.lower() in MONTHS_AND_DAYS for word in words):
        return None
    if words[0].lower() in FUNCTION_WORDS or _is_year(version):
        return None  # (a given name before a version is a model: people have no version numbers)
    if at_sentence_start(text, match.start()) and len(words) == 1 and words[0].lower() in FUNCTION_WORDS:
        return None
    owned = re.search(r"['’]s\s$", text[: match.start()]) is not None  # "Acme's Zeta 3": a product with a version
    strong = bool(size) or tier.lower() in MODEL_TIERS or owned
    if not strong and not cued:
        return None
    named_tier = tier.lower() in MODEL_TIERS or (tier[:1].isupper() and tier.lower() not in FUNCTION_WORDS)
    name = f"{family} {version}" + (f" {tier}" if named_tier else "")
    end = match.end() if named_tier else match.end(3) if size else match.end(2)
    aliases = (f"{name}{size}",) if size else ()
    return Found("Model", name, index, match.start(), end, "model-version", 2 if strong else 1, aliases)


def _without_size(name: str) -> tuple[str, tuple[str, ...]]:
    """ "Llama-2-70B" → ("Llama-2", ("Llama-2-70B",)): a page per model version, not per size."""
    trimmed = re.sub(rf"-{SIZE}(?=$|-)", "", name)
    return (trimmed, (name,)) if trimmed != name and trimmed else (name, ())


def _is_year(version: str) -> bool:
    return version.isdigit() and len(version) == 4


# --------------------------------------------------------------------------------------------- people


def _people(index: int, segment: Segment) -> Iterator[Found]:
    text = segment.text
    known_first = given_names()
    for match in PERSON_RE.finditer(text):
        first, last = match.group(1), match.group(2)
        if first.upper() not in known_first or not _surname(last):
            continue
        if first.lower() in AMBIGUOUS_GIVEN_NAMES and at_sentence_start(text, match.start()):
            continue
        yield Found("Person", f"{first} {last}", index, match.start(), match.end(), "person-name", 1)
    for pattern, rule in ((TITLED_PERSON_RE, "person-title"), (BY_PERSON_RE, "person-by"),
                          (ROLE_PERSON_RE, "person-role")):
        for match in pattern.finditer(text):
            words = match.group(1).split()
            if all(_surname(word) for word in words[1:]) and words[0].lower() not in FUNCTION_WORDS:
                yield Found("Person", " ".join(words), index, match.start(1), match.end(1), rule, 1)


def _surname(word: str) -> bool:
    lowered = word.lower()
    return not (
        lowered in FUNCTION_WORDS
        or lowered in ORG_HEADS
        or lowered in MODEL_TIERS
        or lowered in MONTHS_AND_DAYS
        or lowered in NUMBERED_NOUNS
        or lowered in PERSON_TITLES
        or word in ORG_SUFFIX_AI
    )


def _looks_like_person(words: list[str]) -> bool:
    return len(words) == 2 and words[0].upper() in given_names() and _surname(words[1])
