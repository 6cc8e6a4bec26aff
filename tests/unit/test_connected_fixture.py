"""The connected fixture wiki on disk is exactly what tests/support/connected_wiki.py renders."""

from __future__ import annotations

from tests.support.connected_wiki import FIXTURE, on_disk, rendered


def test_fixture_files_match_their_spec() -> None:
    expected = rendered()
    assert 20 <= sum(1 for path in expected if not path.startswith(("raw/", "sources"))) <= 40
    assert on_disk(FIXTURE) == expected, "regenerate with: python -m tests.support.connected_wiki"
