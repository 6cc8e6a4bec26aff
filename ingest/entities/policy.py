"""What kind of policy event a name denotes, and whose: from naming conventions and the words around it.

General conventions only ("… Act", "H.R. 1234", "X v. Y", "EU …", a state's name): nothing about a
particular law, order or case. When the cues are missing or disagree the answer is None, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_COURT_CASE = re.compile(r"\S\s+(?:v\.?|vs\.)\s+\S")
_EXECUTIVE_ORDER = re.compile(r"\bexecutive\s+order\b", re.IGNORECASE)
_NUMBERED_EXECUTIVE_ORDER = re.compile(r"\bExecutive Order(?: No\.)?\s+\d{5}\b")  # the US federal numbering
_FEDERAL_BILL = re.compile(r"(?:H\.\s?R\.|H\.\s?Res\.|S\.\s?Res\.|S\.)\s?\d{1,5}")
_STATE_BILL = re.compile(r"(?:SB|AB|HB)\s?\d{1,5}")
_TRAILER = re.compile(r"(?:\s+of\s+\d{4}|\s+\(\w[\w.\-]*\)|\s+\d[\w.\-]*)+$")  # "… Act of 2023", "… Act (CCPA)"
# The last word of a name → its kind.
_KIND_BY_HEAD = {
    "act": "act",
    "bill": "bill",
    "regulation": "regulation",
    "regulations": "regulation",
    "directive": "regulation",
    "rule": "regulation",
    "rules": "regulation",
    "plan": "plan",
    "strategy": "plan",
    "roadmap": "plan",
    "agreement": "agreement",
    "treaty": "agreement",
    "accord": "agreement",
    "accords": "agreement",
    "convention": "agreement",
    "pact": "agreement",
    "declaration": "agreement",
    "license": "license",
    "licence": "license",
    "moratorium": "moratorium",
    "order": "order",
}

_NATIONAL_CUES = {
    "US": r"U\.S\.(?:A\.)?|\bUSA?\b|\bUnited States\b|(?<!South )(?<!Latin )(?<!Central )\bAmerica(?:n|'s|’s)?\b"
          r"|\bWhite House\b|\bCongress(?:ional)?\b|\bU\.S\. Senate\b",
    "EU": r"\bEU\b|\bEuropean (?:Union|Commission|Parliament|Council)\b|\bEurope(?:an|'s|’s)?\b|\bBrussels\b",
    "UK": r"\bUK\b|\bU\.K\.|\bUnited Kingdom\b|\bBritish\b|\bBritain\b",
    "China": r"\bChina(?:'s|’s)?\b|\bChinese\b|\bPRC\b|\bBeijing\b",
    "Canada": r"\bCanada(?:'s|’s)?\b|\bCanadian\b",
    "Japan": r"\bJapan(?:'s|’s)?\b|\bJapanese\b",
    "India": r"\bIndia(?:'s|’s)?\b|\bIndian government\b",
    "South Korea": r"\bSouth Korea(?:n|'s|’s)?\b",
}
_NATIONAL = {code: re.compile(pattern) for code, pattern in _NATIONAL_CUES.items()}
# A president's order is a US executive order when nothing else says otherwise.
_PRESIDENTIAL = re.compile(r"\b(?:President|[Pp]residential)\b")

_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
    "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID",
    "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
    "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
    "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
    "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX",
    "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington State": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY",
}  # "Washington" alone usually means the federal government, so only "Washington State" names the state
_STATE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _STATES), key=len, reverse=True)) + r")(?:n|'s|’s)?\b(?!\s+(?:Times|Post))"
)


def policy_kind(names: Iterable[str]) -> str | None:
    """"court case", "executive order", "bill", "act", "regulation", "plan", "agreement", "license", … from
    the first name (name, then aliases) whose form says; None when none does."""
    for name in names:
        kind = _kind_of(" ".join(name.split()))
        if kind is not None:
            return kind
    return None


def _kind_of(name: str) -> str | None:
    if _COURT_CASE.search(name):
        return "court case"
    if _EXECUTIVE_ORDER.search(name):
        return "executive order"
    if _FEDERAL_BILL.fullmatch(name) or _STATE_BILL.fullmatch(name):
        return "bill"
    words = _TRAILER.sub("", name).split()
    if len(words) < 2 or not words[-1][:1].isupper():  # one word is an acronym or a stray head, not a name
        return None
    return _KIND_BY_HEAD.get(words[-1].lower())


def jurisdiction(names: Sequence[str], kind: str | None, context: Sequence[str] = ()) -> str | None:
    """"US", "EU", "UK", "China", …, or a US state as "US-CA". The names decide first ("EU AI Act",
    "H.R. 1234", "California Consumer Privacy Act"); else the paragraphs that mention the event, when they
    point one way only (a state bill "SB 1047" with "California" around it; an executive order with a
    President around it)."""
    from_names = _from_names(names, kind)
    if from_names is not None:
        return from_names or None
    text = "\n".join(context)
    states = {_STATES[match.group(1)] for match in _STATE.finditer(text)}
    if any(_STATE_BILL.fullmatch(" ".join(name.split())) for name in names):
        return f"US-{states.pop()}" if len(states) == 1 else None
    nationals = {code for code, pattern in _NATIONAL.items() if pattern.search(text)}
    if kind == "executive order" and _PRESIDENTIAL.search(text):
        nationals.add("US")
    if len(nationals) == 1:
        return nationals.pop()
    if not nationals and len(states) == 1 and kind in ("act", "bill"):
        return f"US-{states.pop()}"
    return None


def _from_names(names: Sequence[str], kind: str | None) -> str | None:
    """The jurisdiction the names give; "" when they give several (then the context is not asked either)."""
    if kind == "court case":  # a party's name ("Bank of America v. …") is not where the case was heard
        return None
    found: set[str] = set()
    for raw in names:
        name = " ".join(raw.split())
        if _FEDERAL_BILL.fullmatch(name) or _NUMBERED_EXECUTIVE_ORDER.search(name):
            found.add("US")
        found |= {code for code, pattern in _NATIONAL.items() if pattern.search(name)}
        found |= {f"US-{_STATES[match.group(1)]}" for match in _STATE.finditer(name)}
    if not found:
        return None
    if len(found) > 1 and "US" in found and all(code.startswith("US") for code in found):
        found.discard("US")  # "US" plus one state: the state
    return found.pop() if len(found) == 1 else ""
