"""The OpenAPI examples are valid answers: each one parses as its response model, and the document shows it."""

from __future__ import annotations

import pytest

from api import examples
from api.app import create_app
from api.schemas_graph import EntitiesPublic, EntityPublic, JobPublic, SourcesPublic, StatsPublic
from api.schemas_search import ConnectedPublic, ResolvePublic, SearchPublic
from api.settings import Settings

MODELS = {
    "SEARCH": SearchPublic,
    "CONNECTED": ConnectedPublic,
    "RESOLVE": ResolvePublic,
    "ENTITIES": EntitiesPublic,
    "ENTITY": EntityPublic,
    "SOURCES": SourcesPublic,
    "STATS": StatsPublic,
    "JOB": JobPublic,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_example_is_a_valid_answer(name) -> None:
    example = getattr(examples, name)
    assert example, f"{name} is empty"
    parsed = MODELS[name].model_validate(example)
    assert parsed.model_dump(mode="json", exclude_unset=True) == example


def _without_nulls(value):
    """The OpenAPI document leaves out null members."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def test_openapi_document_carries_the_examples(tmp_path) -> None:
    schemas = create_app(Settings(wiki_dir=tmp_path, data_dir=tmp_path)).openapi()["components"]["schemas"]
    for name, model in MODELS.items():
        assert schemas[model.__name__]["examples"] == [_without_nulls(getattr(examples, name))]
