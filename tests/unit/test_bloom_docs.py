"""docs/bloom.md stays in step with the perspective and with the commands it tells people to run."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from api.cli import app
from graph.bloom import perspective

DOC = Path(__file__).resolve().parents[2] / "docs" / "bloom.md"


def _commands(group, prefix=()) -> set[tuple[str, ...]]:
    found = set()
    for name, command in getattr(group, "commands", {}).items():
        found.add((*prefix, name))
        found |= _commands(command, (*prefix, name))
    return found


def test_the_doc_lists_every_search_phrase_and_scene_action_and_no_other():
    text = DOC.read_text(encoding="utf-8")
    built = perspective.build()
    listed = set(re.findall(r"^\| `([^`]+)` \|", text, re.MULTILINE))
    assert listed == {template["text"] for template in built["templates"]}
    actions = set(re.findall(r"scene action \*\*([^*]+)\*\*", text))
    assert actions == {action["name"] for action in built["sceneActions"]}


def test_every_wikigraph_command_in_the_doc_exists():
    """Commands in code (a code block line, inline code, `docker compose exec api …`) must be real."""
    text = DOC.read_text(encoding="utf-8")
    known = _commands(get_command(app))
    named = re.findall(r"(?m)(?:^|`|exec api )wikigraph ([a-z]+)(?: ([a-z]+))?", text)
    assert named, "the doc names no command"
    missing = {(first, second) for first, second in named if (first,) not in known or (second and (first, second) not in known and _is_group(first))}
    assert not missing, f"docs/bloom.md names commands wikigraph does not have: {missing}"


def _is_group(name: str) -> bool:
    return hasattr(get_command(app).commands[name], "commands")
