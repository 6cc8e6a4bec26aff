"""The Cypher of the Bloom perspective, in the Neo4j dialect, built from `graph/queries.py`.

Each Bloom statement is a BLOOM_* pattern followed by `RETURN path`, so Bloom draws the paths
whose end nodes are exactly the rows the common-subset statement (and `graph/questions.py`)
returns. Search phrases take Bloom's typed parameters ($name, $concept, $source); scene actions
take `$nodes`, the element ids of the nodes selected in the scene, which is how Bloom passes a
selection (the common-subset form takes `$refs` instead: element ids exist only on Neo4j).
"""

from __future__ import annotations

from graph import queries

# Bloom draws at most this many paths per question; its own scene limit applies on top.
PATH_LIMIT = 300

BLOOM_SELECTION = "MATCH (n)\nWHERE elementId(n) IN $nodes\n"

SEARCH_PHRASES: tuple[str, ...] = (
    "BLOOM_PAPERS_CONNECTED_TO",
    "BLOOM_NOTES_ABOUT",
    "BLOOM_TIMELINE_OF",
    "BLOOM_SOURCE_SAID_ABOUT",
    "BLOOM_POLICY_EVENTS_ABOUT",
    "BLOOM_RELATED_CONCEPTS",
)
SCENE_ACTIONS: tuple[str, ...] = ("BLOOM_EXPAND_TO_PAPERS", "BLOOM_EXPAND_TO_NOTES")

_RETURN_PATHS = f"RETURN path\nLIMIT {PATH_LIMIT}\n"


def search_phrase_cypher(name: str) -> str:
    """The statement Bloom runs for the search phrase whose common-subset twin is `name`."""
    if name not in SEARCH_PHRASES:
        raise KeyError(f"{name!r} is not a Bloom search phrase")
    return queries.BLOOM_PATTERNS[name].lstrip("\n") + _RETURN_PATHS


def scene_action_cypher(name: str) -> str:
    """The statement Bloom runs for the scene action whose common-subset twin is `name`."""
    if name not in SCENE_ACTIONS:
        raise KeyError(f"{name!r} is not a Bloom scene action")
    return BLOOM_SELECTION + queries.BLOOM_PATTERNS[name].lstrip("\n") + _RETURN_PATHS


# The suggestions Bloom offers while a user types `papers connected to …`: entity names, the most
# mentioned first. (Concepts and sources are suggested from their `name`, by label and key.)
# In the common subset: the embedded engine runs it verbatim (tests/integration/test_bloom_questions.py).
ENTITY_NAME_SUGGESTIONS = """MATCH (e)
WHERE e:Concept OR e:Paper OR e:PolicyEvent OR e:Organization OR e:Person OR e:Model
RETURN e.name AS name
ORDER BY coalesce(e.mention_count, 0) DESC, name
LIMIT 1000
"""


def all_statements() -> dict[str, str]:
    """Every statement of the perspective, by the name of its common-subset twin plus `@bloom`."""
    statements = {f"{name}@bloom": search_phrase_cypher(name) for name in SEARCH_PHRASES}
    statements.update({f"{name}@bloom": scene_action_cypher(name) for name in SCENE_ACTIONS})
    statements["ENTITY_NAME_SUGGESTIONS@bloom"] = ENTITY_NAME_SUGGESTIONS
    return statements
