"""Build the Neo4j Bloom perspective from the graph's schema and the Bloom statements.

The output follows Bloom's 2.x export format (`"version": "2.21.0"`): categories (one per label:
caption, colour, icon, the properties Bloom shows, a rule sizing nodes by PageRank or mention
count), the `labels` and `relationshipTypes` catalogues, search phrases (`templates`), scene
actions, and `metadata` (every relationship pattern, the native indexes). Everything comes from
`graph/schema.py`, `graph/bloom/cypher.py` and the display choices below, so a new label or
relationship type cannot be forgotten: building fails until it has a style.

The output is deterministic (fixed ids and timestamps), so the shipped `perspective.json` can be
compared with a fresh build; `wikigraph bloom export` writes one for import into Bloom.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import schema
from graph.bloom import cypher

SHIPPED = Path(__file__).resolve().parent / "perspective.json"
FORMAT_VERSION = "2.21.0"
PERSPECTIVE_NAME = "wikigraph"
PERSPECTIVE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://wikigraph.invalid/bloom/perspective"))
# Fixed, so that the file is reproducible byte for byte (2026-01-01T00:00:00Z).
CREATED_AT_MS = 1767225600000
# Bloom's default palette, in its order.
PALETTE = (
    "#FFE081", "#C990C0", "#F79767", "#57C7E3", "#F16667", "#D9C8AE", "#8DCC93",
    "#ECB5C9", "#4C8EDA", "#FFC454", "#DA7194", "#569480", "#959AA1", "#D9D9D9",
)
# Ids from Bloom's built-in icon set (Bloom stores the id, not the picture). Only ids that real
# exports in ../shared/corpora/bloom-perspectives use, each borrowed from a category of the same
# kind there: Person → person; Message → Note (a post); Reference → Paper (a citation);
# ConceptualObject → Concept (an idea); EmailAddress, where messages come from → Source;
# Chronology, a dated period → PolicyEvent; Location → Organization (an institution, a place);
# Instance, one made thing → Model.
ICONS = {
    "Source": "72D60851-1092-40E4-BDFE-58EE7798C58C",
    "Note": "0CF829FF-B8AB-4252-982F-BFAA8C1BBF50",
    "Concept": "697105CA-C37F-4B0D-BA33-FD6B7924B9C3",
    "Paper": "97397393-2004-4831-AE5C-A36D965A724E",
    "PolicyEvent": "DCC09BD2-9D48-4CD3-8704-6A1003F4D103",
    "Organization": "59435072-6EE1-4BB0-869A-50F2FB447DEB",
    "Person": "7EFF4DE7-BB68-484B-99BC-63DC14E6D207",
    "Model": "5B3834BA-FBF2-4F63-A7A9-ECC049E8FFBE",
}
RELATIONSHIP_COLOR = "#A5ABB6"

ANALYTICS = (("pagerank", "number"), ("degree", "bigint"), ("community", "bigint"))
ENTITY_ANALYTICS = (*ANALYTICS, ("mention_count", "bigint"), ("first_seen", "string"), ("last_seen", "string"))


@dataclass(frozen=True)
class CategoryStyle:
    caption: str  # the property written on the node
    color: str
    size_by: str  # the numeric property the size rule scales with
    properties: tuple[tuple[str, str], ...]  # (property, Bloom data type) Bloom may show
    tooltip: tuple[str, ...] = ()  # shown on hover, besides the caption


ENTITY_NAMES = (("id", "string"), ("name", "string"), ("aliases_text", "string"))

STYLES: dict[str, CategoryStyle] = {
    "Source": CategoryStyle(
        "name", "#4C8EDA", "pagerank",
        (("id", "string"), ("name", "string"), ("url", "string"), ("feed_url", "string"), ("tier", "bigint"),
         ("referenced_only", "boolean"), *ANALYTICS),
        ("tier",),
    ),
    "Note": CategoryStyle(
        "title", "#D9C8AE", "pagerank",
        (("id", "string"), ("title", "string"), ("published", "string"), ("published_ms", "bigint"), ("url", "string"),
         ("tier", "bigint"), ("domain", "string"), ("author", "string"), ("tldr", "string"), ("path", "string"), *ANALYTICS),
        ("published", "tldr"),
    ),
    "Concept": CategoryStyle("name", "#FFC454", "mention_count", (*ENTITY_NAMES, *ENTITY_ANALYTICS), ("mention_count", "first_seen")),
    "Paper": CategoryStyle(
        "name", "#57C7E3", "mention_count",
        (("id", "string"), ("name", "string"), ("short_name", "string"), ("arxiv_id", "string"), ("published", "string"),
         *ENTITY_ANALYTICS),
        ("arxiv_id", "published"),
    ),
    "PolicyEvent": CategoryStyle(
        "name", "#F16667", "mention_count",
        (("id", "string"), ("name", "string"), ("kind", "string"), ("date", "string"), ("jurisdiction", "string"),
         *ENTITY_ANALYTICS),
        ("date", "jurisdiction"),
    ),
    "Organization": CategoryStyle("name", "#8DCC93", "mention_count", (*ENTITY_NAMES, *ENTITY_ANALYTICS), ("mention_count",)),
    "Person": CategoryStyle("name", "#DA7194", "mention_count", (*ENTITY_NAMES, *ENTITY_ANALYTICS), ("mention_count",)),
    "Model": CategoryStyle("name", "#C990C0", "mention_count", (*ENTITY_NAMES, *ENTITY_ANALYTICS), ("mention_count",)),
}

# Relationship properties worth showing; RELATED_TO lines are drawn thicker the stronger they are.
RELATIONSHIP_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    "PUBLISHED": (),
    "MENTIONS": (("count", "bigint"), ("salience", "number")),
    "CONNECTS_TO": (("reason", "string"),),
    "ABOUT": (("origin", "string"),),
    "CONCERNS": (("origin", "string"),),
    "AFFILIATED_WITH": (("origin", "string"),),
    "RELATED_TO": (("weight", "number"), ("origin", "string")),
}
RELATIONSHIP_SIZE_BY = {"RELATED_TO": "weight", "MENTIONS": "salience"}


@dataclass(frozen=True)
class Param:
    name: str  # as written in the phrase and the Cypher, with its `$`
    suggest_label: str | None = None  # suggest values of this label's …
    suggest_property: str | None = None  # … property,
    suggest_cypher: str | None = None  # or the values this query returns


@dataclass(frozen=True)
class Phrase:
    statement: str  # the common-subset twin in graph/queries.py
    text: str  # what a user types in Bloom's search bar
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)


CONCEPT = Param("$concept", "Concept", "name")
PHRASES: tuple[Phrase, ...] = (
    Phrase("BLOOM_PAPERS_CONNECTED_TO", "papers connected to $name", "Papers about an entity, or mentioned in a note next to it",
           (Param("$name", suggest_cypher=cypher.ENTITY_NAME_SUGGESTIONS),)),
    Phrase("BLOOM_NOTES_ABOUT", "notes about $concept", "Notes that mention or link to a concept", (CONCEPT,)),
    Phrase("BLOOM_TIMELINE_OF", "timeline of $concept", "Dated notes, papers and policy events about a concept", (CONCEPT,)),
    Phrase("BLOOM_SOURCE_SAID_ABOUT", "what $source said about $concept", "Notes a source published about a concept",
           (Param("$source", "Source", "name"), CONCEPT)),
    Phrase("BLOOM_POLICY_EVENTS_ABOUT", "policy events about $concept", "Policy events concerning a concept", (CONCEPT,)),
    Phrase("BLOOM_RELATED_CONCEPTS", "concepts related to $concept", "Concepts that co-occur with a concept across notes", (CONCEPT,)),
)
SCENE_ACTIONS: tuple[tuple[str, str], ...] = (
    ("BLOOM_EXPAND_TO_PAPERS", "Expand to papers"),
    ("BLOOM_EXPAND_TO_NOTES", "Expand to notes"),
)

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def build() -> dict[str, Any]:
    """The perspective as a JSON-ready dict."""
    missing = [label for label in schema.LABELS if label not in STYLES]
    if missing:
        raise KeyError(f"no Bloom style for label(s) {', '.join(missing)}: add them to graph/bloom/perspective.py STYLES")
    categories = [_category(position, label) for position, label in enumerate(schema.LABELS, start=1)]
    return {
        "name": PERSPECTIVE_NAME,
        "id": PERSPECTIVE_ID,
        "categories": categories,
        "labels": {label: _property_keys(label, STYLES[label].properties) for label in schema.LABELS},
        "relationshipTypes": [_relationship_type(rel_type) for rel_type in schema.REL_TYPES],
        "palette": {"colors": list(PALETTE), "currentIndex": len(categories) % len(PALETTE)},
        "createdAt": CREATED_AT_MS,
        "lastEditedAt": CREATED_AT_MS,
        "templates": [_template(position, phrase) for position, phrase in enumerate(PHRASES, start=1)],
        "sceneActions": [_scene_action(position, *action) for position, action in enumerate(SCENE_ACTIONS, start=1)],
        "hiddenRelationshipTypes": [],
        # Bookkeeping nodes (applied migrations, sync state) belong to no category: keep them out of scenes.
        "hideUncategorisedData": True,
        "type": "STANDARD_PERSPECTIVE",
        "maxLimitToastMsgEnabled": False,
        "parentPerspectiveId": None,
        "metadata": {
            "pathSegments": [{"source": start, "relationshipType": rel, "target": end} for start, rel, end in schema.EDGES],
            "indexes": _indexes(),
        },
        "version": FORMAT_VERSION,
    }


def render() -> str:
    """The perspective as the text of perspective.json."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def parameters(statement: str) -> set[str]:
    """The `$names` a Cypher statement uses."""
    return {f"${name}" for name in _PARAMETER.findall(statement)}


def every_cypher(perspective: dict[str, Any]) -> dict[str, str]:
    """Every Cypher string in a perspective (search phrases, their suggestion queries, scene actions), by where it is."""
    found = {}
    for template in perspective["templates"]:
        found[f"template {template['text']!r}"] = template["cypher"]
        for param in template["params"]:
            if param["cypher"]:
                found[f"template {template['text']!r} suggestions for {param['name']}"] = param["cypher"]
    for action in perspective["sceneActions"]:
        found[f"scene action {action['name']!r}"] = action["cypher"]
    return found


# --- parts ----------------------------------------------------------------------------------


def _category(position: int, label: str) -> dict[str, Any]:
    style = STYLES[label]
    keys = [name for name, _ in style.properties]
    if style.caption not in keys or style.size_by not in keys or not set(style.tooltip) <= set(keys):
        raise ValueError(f"Bloom style of {label}: caption, size and tooltip properties must be among its properties")
    captions = [{"inTooltip": False, "styles": [], "isCaption": False, "key": label, "type": "label"}]
    captions += [
        {
            "inTooltip": key == style.caption or key in style.tooltip,
            "styles": [],
            "isCaption": key == style.caption,
            "key": key,
            "type": "property",
            "isGdsData": False,
        }
        for key in keys
    ]
    return {
        "id": position,
        "name": label,
        "labels": [label],
        "properties": [{"name": key, "exclude": False, "dataType": data_type} for key, data_type in style.properties],
        "createdAt": CREATED_AT_MS,
        "lastEditedAt": CREATED_AT_MS,
        "color": style.color,
        "size": 1,
        "icon": ICONS[label],
        "captionKeys": [],
        "captions": captions,
        "textSize": 1,
        "textAlign": "top",
        "styleRules": [_size_rule(position * 100 + 1, style.size_by)],
    }


def _size_rule(rule_id: int, prop: str) -> dict[str, Any]:
    """A range rule: size from 1 to 4 across the values the scene holds (null bounds: taken from the data)."""
    return {
        "id": rule_id,
        "type": "range",
        "basedOn": prop,
        "dataType": "number",
        "existingProperty": True,
        "isGdsData": False,
        "disabled": False,
        "condition": "range",
        "conditionValue": None,
        "minValue": None,
        "maxValue": None,
        "applyColor": False,
        "colorValue": None,
        "applySize": True,
        "sizeValue": None,
        "minSize": 1,
        "maxSize": 4,
        "applyCaption": False,
        "captions": [],
        "textSize": 1,
    }


def _property_keys(owner: str, properties: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"propertyKey": key, "type": owner, "dataType": data_type} for key, data_type in properties]


def _relationship_type(rel_type: str) -> dict[str, Any]:
    properties = RELATIONSHIP_PROPERTIES[rel_type]
    size_by = RELATIONSHIP_SIZE_BY.get(rel_type)
    return {
        "properties": [{"dataType": data_type, "propertyKey": key, "type": rel_type} for key, data_type in properties],
        "name": rel_type,
        "id": rel_type,
        "color": RELATIONSHIP_COLOR,
        "size": 1,
        "captionKeys": [],
        "captions": [{"inTooltip": True, "isCaption": True, "styles": [], "key": rel_type, "type": "relationship"}],
        "textSize": 1,
        "textAlign": "top",
        "styleRules": [_size_rule(9000 + schema.REL_TYPES.index(rel_type), size_by)] if size_by else [],
    }


def _template(position: int, phrase: Phrase) -> dict[str, Any]:
    statement = cypher.search_phrase_cypher(phrase.statement)
    declared = {param.name for param in phrase.params}
    if parameters(statement) != declared or parameters(phrase.text) != declared:
        raise ValueError(f"search phrase {phrase.text!r}: its text, parameters and Cypher must name the same $parameters")
    return {
        "name": phrase.description,
        "id": f"tmpl:{CREATED_AT_MS + position}",
        "createdAt": CREATED_AT_MS,
        "text": phrase.text,
        "cypher": statement,
        "isUpdateQuery": None,
        "isWriteTransactionChecked": None,
        "params": [_param(param) for param in phrase.params],
        "hasCypherErrors": False,
    }


def _param(param: Param) -> dict[str, Any]:
    return {
        "name": param.name,
        "dataType": "String",
        "collapsed": False,
        "suggestionLabel": param.suggest_label,
        "suggestionProp": param.suggest_property,
        "suggestionBoolean": False,
        "cypher": param.suggest_cypher,
    }


def _scene_action(position: int, statement: str, title: str) -> dict[str, Any]:
    return {
        "name": title,
        "id": f"sceneAction:{CREATED_AT_MS + position}",
        "createdAt": CREATED_AT_MS,
        "cypher": cypher.scene_action_cypher(statement),
        "isUpdateQuery": None,
        "isWriteTransactionChecked": None,
        "hasCypherErrors": False,
    }


def _indexes() -> list[dict[str, Any]]:
    """Native indexes by label: `id` (unique) on every label, then the range indexes."""
    keys: dict[str, list[str]] = {label: ["id"] for label in schema.LABELS}
    for label, prop in schema.RANGE_INDEXES:
        if prop not in keys[label]:
            keys[label].append(prop)
    return [
        {"label": label, "type": "native", "propertyKeys": [{"key": key, "metadataProp": False} for key in props]}
        for label, props in keys.items()
    ]


if __name__ == "__main__":
    # Regenerate the shipped file after a schema or style change: python -m graph.bloom.perspective
    from graph.vault import atomic_write_text

    atomic_write_text(SHIPPED, render())
    print(f"wrote {SHIPPED}")
