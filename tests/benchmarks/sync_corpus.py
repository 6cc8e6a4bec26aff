"""A vault of N summary notes and their entity pages, generated from the real archive posts.

Each public archive post gives its title, paragraphs and date, and the entities the offline
extractor (`ingest.entities.extract.propose`) finds in it, with their mention counts. Note i is
built from post i (mod the number of posts), re-dated over five years and recombined with a second
post: a title variant, TL;DR and Why-it-matters from paragraphs of both, the first post's mentions
plus half of the second's, saliences renormalised. Every fifth pass over the archive, a fifth of
the mentions name new entities (the tail of names a growing wiki keeps meeting). Connections link
2–4 earlier notes and one concept page. Every entity mentioned by two notes or more gets a page;
papers declare what they are about, people where they work, policy events what they concern.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from graph.entities_md import entity_path, render_entity, stub_body
from graph.links import page_slug
from graph.model import Connection, Entity, Note
from graph.notes_md import render_note
from graph.vault import Vault

MAX_MENTIONS_PER_POST = 25
# New entities keep appearing as a wiki grows: after the first GENERATION_NOTES passes over the
# archive, NEW_ENTITY_SHARE of the mentions name an entity of that generation instead.
GENERATION_NOTES = 5
NEW_ENTITY_SHARE = 0.2
SOURCES = ("interconnects", "lab-notes", "policy-digest", "model-watch")


@dataclass
class Post:
    title: str
    published: date
    paragraphs: list[str]
    mentions: list[dict]


def load_posts(archive: Path) -> list[Post]:
    from ingest.entities.extract import propose
    from ingest.entities.text import post_segments

    posts = []
    for path in sorted(archive.glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        _, meta_text, body = text.split("---\n", 2)
        meta = _front_matter(meta_text)
        paragraphs = [p.strip() for p in body.split("\n\n") if len(p.split()) >= 25 and not p.lstrip().startswith(("#", "!", ">", "|", "-"))]
        if not paragraphs:
            continue
        proposals = propose(post_segments(meta["title"], body))
        posts.append(Post(meta["title"], _as_date(meta["date"]), paragraphs, _mentions(proposals)))
    return posts


def _front_matter(text: str) -> dict[str, str]:
    """`title` and `date` only, read line by line: some archive titles are not valid YAML (nested quotes)."""
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    return {"title": fields["title"].strip().strip('"'), "date": fields["date"].strip()}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _mentions(proposals) -> list[dict]:
    rows = {}
    for proposal in proposals:
        entity_id = page_slug(proposal.name)
        if entity_id and (proposal.type, entity_id) not in rows:
            rows[(proposal.type, entity_id)] = {"type": proposal.type, "id": entity_id, "name": proposal.name, "count": max(1, len(proposal.found))}
    ranked = sorted(rows.values(), key=lambda row: (-row["count"], row["type"], row["id"]))[:MAX_MENTIONS_PER_POST]
    return _with_salience(ranked)


def _with_salience(rows: list[dict]) -> list[dict]:
    total = sum(row["count"] for row in rows) or 1
    return [{**row, "salience": round(row["count"] / total, 4)} for row in rows]


def _sentences(paragraph: str, limit: int) -> str:
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", paragraph).replace("*", "").replace("\n", " ")
    return " ".join(re.split(r"(?<=[.!?])\s+", plain)[:limit]).strip()


def build_note(i: int, posts: list[Post], rng: random.Random, start: date, days: int, ids: list[str]) -> Note:
    base, other = posts[i % len(posts)], posts[rng.randrange(len(posts))]
    published = start + timedelta(days=rng.randrange(days))
    generation = i // len(posts) // GENERATION_NOTES
    mentions: dict[tuple[str, str], dict] = {}
    for m in base.mentions + rng.sample(other.mentions, len(other.mentions) // 2):
        if generation and rng.random() < NEW_ENTITY_SHARE:
            m = {**m, "id": f"{m['id']}-{generation}", "name": f"{m['name']} {generation}"}
        mentions.setdefault((m["type"], m["id"]), dict(m))
    earlier = rng.sample(ids, min(len(ids), rng.randint(2, 4))) if ids else []
    concepts = [m for m in mentions.values() if m["type"] == "Concept"]
    connections = [Connection(target=note_id, reason="an earlier note on the same thread") for note_id in earlier]
    if concepts:
        connections.append(Connection(target=f"concepts/{rng.choice(concepts)['id']}", reason="the idea it builds on"))
    return Note(
        id=f"note-{i:05d}",
        title=f"{base.title} ({i // len(posts) + 1})",
        source=SOURCES[i % len(SOURCES)],
        url=f"https://example.org/posts/{i}",
        published=published,
        tier=1 + i % 3,
        domain="ml",
        raw=f"raw/rss/note-{i:05d}.md",
        content_hash=f"{i:016x}",
        summarizer="extractive",
        topics=["ml"],
        entities=_with_salience(sorted(mentions.values(), key=lambda m: (-m["count"], m["type"], m["id"]))),
        tldr=_sentences(rng.choice(base.paragraphs), 2),
        why_it_matters=_sentences(rng.choice(other.paragraphs), 3),
        connections=connections,
        research_angle=[_sentences(rng.choice(base.paragraphs), 1)],
        open_questions=[_sentences(rng.choice(other.paragraphs), 1)],
    )


def write_vault(vault: Vault, count: int, posts: list[Post], seed: int = 7) -> dict[str, int]:
    """Write `count` notes and the entity pages they call for; return {"notes": …, "pages": …}."""
    rng = random.Random(seed)
    start, days = date(2021, 1, 1), 5 * 365
    ids: list[str] = []
    seen: Counter = Counter()
    names: dict[tuple[str, str], str] = {}
    for i in range(count):
        note = build_note(i, posts, rng, start, days, ids[-200:])
        write_note_file(vault, note)
        ids.append(note.id)
        for m in note.entities:
            seen[(m["type"], m["id"])] += 1
            names.setdefault((m["type"], m["id"]), m["name"])
    pages = [key for key, n in seen.items() if n >= 2]
    concepts = [entity_id for entity_type, entity_id in pages if entity_type == "Concept"]
    orgs = [entity_id for entity_type, entity_id in pages if entity_type == "Organization"]
    for entity_type, entity_id in pages:
        write_entity_file(vault, _entity(entity_type, entity_id, names[(entity_type, entity_id)], rng, concepts, orgs))
    return {"notes": count, "pages": len(pages)}


def _entity(entity_type: str, entity_id: str, name: str, rng: random.Random, concepts: list[str], orgs: list[str]) -> Entity:
    links: dict[str, list[str]] = {}
    if entity_type == "Paper" and concepts:
        links["about"] = rng.sample(concepts, min(2, len(concepts)))
    elif entity_type == "Person" and orgs:
        links["affiliated_with"] = [rng.choice(orgs)]
    elif entity_type == "PolicyEvent" and concepts:
        links["concerns"] = [rng.choice(concepts)]
    return Entity(id=entity_id, type=entity_type, name=name, aliases=[name.lower()], links=links, body=stub_body(name),
                  first_seen=date(2021, 1, 1))


def write_note_file(vault: Vault, note: Note) -> None:
    path = vault.note_path(note.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_note(note), encoding="utf-8")


def write_entity_file(vault: Vault, entity: Entity) -> None:
    path = entity_path(vault, entity.type, entity.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_entity(entity), encoding="utf-8")


def touch_notes(vault: Vault, share: float, seed: int = 11) -> list[str]:
    """Edit `share` of the notes as a re-summarise would: a new TL;DR and one mention dropped."""
    from graph.notes_md import parse_note

    rng = random.Random(seed)
    paths = vault.note_paths()
    chosen = rng.sample(paths, max(1, round(len(paths) * share)))
    for path in chosen:
        note = parse_note(path.read_text(encoding="utf-8"))
        note.tldr = note.tldr + " Revised after a second reading."
        note.entities = note.entities[:-1]
        write_note_file(vault, note)
    return [path.stem for path in chosen]
