"""Read a JSON object out of a model's answer, forgiving the usual slips of small models.

Repairs, in order: a surrounding Markdown code fence or prose, trailing commas, missing commas
between values, single-quoted strings, Python literals (True/False/None), raw line breaks inside
strings, and an answer cut off mid-way (open strings and brackets are closed). What cannot be
repaired raises `AnswerNotJson` with the parser's own message, so a retry can quote it.
"""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)(?:```|$)", re.DOTALL)
_PY_LITERALS = {"True": "true", "False": "false", "None": "null"}
_VALUE_END = set('"}]') | set("0123456789") | {"e", "l"}  # …"  …}  …]  digits  true/false  null


class AnswerNotJson(ValueError):
    """The answer holds no JSON object, even after repair."""


def parse_json_object(text: str) -> tuple[dict[str, Any], bool]:
    """The answer's JSON object and whether it needed repair."""
    stripped = text.strip()
    clean = _clean_object(stripped)
    if clean is not None:
        return clean, False
    candidate = _outermost_object(_strip_fence(stripped))
    repaired = _repair(candidate)
    try:
        value = json.loads(repaired, strict=False)
    except json.JSONDecodeError as exc:
        raise AnswerNotJson(f"not valid JSON even after repair: {exc.msg} at character {exc.pos}") from exc
    return _as_object(value), True


def _clean_object(text: str) -> dict[str, Any] | None:
    """The object when `text` is clean JSON already; None sends it to repair."""
    try:
        return _as_object(json.loads(text))
    except (json.JSONDecodeError, AnswerNotJson):
        return None


def _as_object(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        raise AnswerNotJson(f"expected one JSON object, got {type(value).__name__}")
    return value


def _strip_fence(text: str) -> str:
    found = _FENCE.search(text)
    return found.group(1).strip() if found else text


def _outermost_object(text: str) -> str:
    start = text.find("{")
    if start < 0:
        raise AnswerNotJson("the answer contains no JSON object (no '{')")
    end = text.rfind("}")
    # No closing brace at all: the answer was cut off; `_repair` closes what is open.
    return text[start : end + 1] if end > start else text[start:]


def _repair(text: str) -> str:
    out: list[str] = []
    closers: list[str] = []
    quote: str | None = None  # the delimiter of the string being read, if inside one
    last = ""  # last significant character written outside strings
    index = 0
    while index < len(text):
        char = text[index]
        if quote is not None:
            index, closed = _string_char(text, index, quote, out)
            if closed:
                quote, last = None, '"'
            continue
        if char in "\"'":
            _comma_if_missing(out, last, closers)
            out.append('"')
            quote = char
        elif char in "{[":
            _comma_if_missing(out, last, closers)
            closers.append("}" if char == "{" else "]")
            out.append(char)
            last = char
        elif char in "}]":
            _drop_trailing_comma(out)
            if last == ":":
                out.append("null")
            if closers:
                out.append(closers.pop())
            last = char
        elif char.isalpha() or char == "_":
            word = re.match(r"\w+", text[index:]).group(0)
            index += len(word)
            token = _bare_word(word, text, index)
            _comma_if_missing(out, last, closers)
            out.append(token)
            last = token[-1]
            continue
        else:
            out.append(char)
            if not char.isspace():
                last = char
        index += 1
    return _close_open(out, quote, last, closers)


def _string_char(text: str, index: int, quote: str, out: list[str]) -> tuple[int, bool]:
    """Copy one character (or escape pair) of a string body; return the next index and whether the string closed."""
    char = text[index]
    if char == "\\" and index + 1 < len(text):
        out.append(text[index : index + 2])
        return index + 2, False
    if char == quote and _ends_string(text, index):
        out.append('"')
        return index + 1, True
    if char == '"':  # a double quote inside the string (unescaped, or inside a single-quoted string)
        out.append('\\"')
    elif char == "\n":
        out.append("\\n")
    else:
        out.append(char)
    return index + 1, False


def _ends_string(text: str, index: int) -> bool:
    # A quote followed by text is a quotation inside the string (`"the "best" model"`), not its end.
    rest = text[index + 1 :].lstrip()
    return not rest or rest[0] in ',:}]"\''


def _bare_word(word: str, text: str, after: int) -> str:
    if word in _PY_LITERALS:
        return _PY_LITERALS[word]
    if word in ("true", "false", "null"):
        return word
    if text[after:].lstrip().startswith(":"):
        return f'"{word}"'  # an unquoted key
    return word  # left as it is: json.loads will name it


def _comma_if_missing(out: list[str], last: str, closers: list[str]) -> None:
    if closers and last in _VALUE_END:
        out.append(",")


def _drop_trailing_comma(out: list[str]) -> None:
    position = len(out) - 1
    while position >= 0 and out[position].isspace():
        position -= 1
    if position >= 0 and out[position] == ",":
        del out[position]


def _close_open(out: list[str], quote: str | None, last: str, closers: list[str]) -> str:
    if quote is not None:
        out.append('"')
        last = '"'
    _drop_trailing_comma(out)
    if last == ":":
        out.append("null")
    out.extend(reversed(closers))
    return "".join(out)
