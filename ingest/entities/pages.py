"""Writing entity pages: a stub for a new entity, and for a known one only the machine fields that grow
(first/last seen, new aliases, new external ids) and the typed properties it still lacks (properties.py).
The body and everything a person wrote stay as they are."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from graph.entities_md import entity_path, render_entity, stub_body
from graph.model import Entity
from graph.vault import Vault, atomic_write_text
from ingest.entities.catalog import EntityCatalog, name_key
from ingest.entities.properties import OTHER_NAMED, with_properties


def updated_entity(
    entity: Entity,
    seen: date,
    aliases: list[str],
    external_ids: dict[str, str],
    created: bool,
    context: Sequence[str] = (),
    taken: Callable[[str], bool] | None = None,
) -> Entity:
    """The entity with `seen` inside its first/last seen range, the aliases and ids it lacked appended, and the
    properties it lacked derived (`context`: the post's paragraphs that mention it; `taken`: whether a name
    belongs to an entity a paper's short form must not be named after)."""
    known = {name_key(name) for name in (entity.name, *entity.aliases)}
    new_aliases = [alias for alias in aliases if name_key(alias) not in known]
    ids = dict(entity.external_ids)
    for scheme, value in sorted(external_ids.items()):
        ids.setdefault(scheme, value)  # an id a person corrected is never replaced
    updated = replace(
        entity,
        aliases=[*entity.aliases, *dict.fromkeys(new_aliases)],
        external_ids=ids,
        first_seen=min(entity.first_seen, seen) if entity.first_seen else seen,
        last_seen=max(entity.last_seen, seen) if entity.last_seen else seen,
        body=stub_body(entity.name) if created and not entity.body else entity.body,
    )
    return with_properties(entity, updated, context, taken)


def catalog_taken(catalog: EntityCatalog) -> Callable[[str], bool]:
    """Whether the vault calls an organisation, person or concept by this name."""
    return lambda name: any(ref.split("/", 1)[0] in OTHER_NAMED for ref in catalog.by_name(name))


def write_entity(vault: Vault, catalog: EntityCatalog, ref: str, entity: Entity) -> bool:
    """Write the page if it changed; keep the catalog in step. Returns True if the file changed."""
    changed = atomic_write_text(entity_path(vault, entity.type, entity.id), render_entity(entity))
    catalog.add(entity)
    return changed
