"""Editing sources.yaml keeps everything the person wrote: comments, blank lines, order, other entries' text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sources import Source, parse_sources
from ingest.sources_edit import SourcesEditError, add_sources, remove_source, validated_source

SHIPPED = Path(__file__).resolve().parents[2] / "wiki_content" / "sources.yaml"

COMMENTED = """\
# My feeds.
sources:
  # Tier 1: read closely.
  - name: Alpha Notes   # the best one
    feed_url: https://alpha.example/feed
    tier: 1
    domains: [ml]
    # url: https://alpha.example (not yet)

  - name: Beta Weekly
    feed_url: https://beta.example/rss
    tier: 2
    domains: [policy, ml]

  # Tier 3: skim.
  - name: Gamma
    feed_url: https://gamma.example/atom
    tier: 3
    domains: [misc]
# end of list
"""


def source(name: str, feed_url: str, **extra) -> Source:
    return validated_source({"name": name, "feed_url": feed_url, "tier": 3, "domains": ["misc"], **extra})


def names(text: str) -> list[str]:
    return [s.name for s in parse_sources(text)]


def test_removing_keeps_every_other_line():
    edited, removed = remove_source(COMMENTED, "beta weekly")
    assert removed.name == "Beta Weekly"
    assert names(edited) == ["Alpha Notes", "Gamma"]
    expected = COMMENTED.replace(
        "  - name: Beta Weekly\n    feed_url: https://beta.example/rss\n    tier: 2\n    domains: [policy, ml]\n\n", ""
    )
    assert edited == expected


def test_removing_takes_the_entrys_own_trailing_comment_and_leaves_group_comments():
    edited, _ = remove_source(COMMENTED, "alpha-notes")  # by id
    assert "# url: https://alpha.example" not in edited and "# the best one" not in edited
    assert "# Tier 1: read closely.\n  - name: Beta Weekly" in edited
    assert "# Tier 3: skim." in edited and edited.endswith("# end of list\n")
    edited, _ = remove_source(COMMENTED, "https://gamma.example/atom")  # by feed URL, the last entry
    assert names(edited) == ["Alpha Notes", "Beta Weekly"]
    assert "# Tier 3: skim.\n# end of list\n" in edited


def test_adding_appends_in_the_files_style_and_round_trips():
    new = source("Delta's: Blog", "https://delta.example/feed", poll_interval=30, allow_private=True)
    edited = add_sources(COMMENTED, [new])
    assert edited.startswith(COMMENTED.removesuffix("# end of list\n"))
    assert names(edited) == ["Alpha Notes", "Beta Weekly", "Gamma", "Delta's: Blog"]
    assert parse_sources(edited)[-1] == new
    assert "\n\n  - name: 'Delta''s: Blog'\n" in edited  # blank line between entries, as the file has
    again, removed = remove_source(edited, new.name)
    assert again == COMMENTED and removed == new


def test_add_refuses_duplicates_by_name_id_or_url():
    for clash in (source("beta weekly", "https://other.example/feed"), source("Beta  Weekly!", "https://x.example/f"),
                  source("Other", "https://beta.example/rss")):
        with pytest.raises(SourcesEditError, match="already in"):
            add_sources(COMMENTED, [clash])


def test_unknown_source_lists_the_known_ones():
    with pytest.raises(SourcesEditError, match="no source 'Epsilon'.*Alpha Notes, Beta Weekly, Gamma"):
        remove_source(COMMENTED, "Epsilon")


@pytest.mark.parametrize("start", ["", "sources:\n", "sources: []  # none yet\n", "# hi\nsources: ~\n# later\n"])
def test_adding_to_an_empty_list(start):
    edited = add_sources(start, [source("One", "https://one.example/f"), source("Two", "https://two.example/f")])
    assert names(edited) == ["One", "Two"]
    for line in start.splitlines():
        if line.startswith("#"):
            assert line in edited
    emptied = remove_source(remove_source(edited, "One")[0], "Two")[0]
    assert parse_sources(emptied) == []


def test_a_dash_on_its_own_line_and_tight_entries():
    text = "sources:\n-\n  name: A\n  feed_url: https://a.example/f\n  tier: 1\n  domains: [x]\n- name: B\n" \
           "  feed_url: https://b.example/f\n  tier: 2\n  domains: [y]\n"
    edited = add_sources(text, [source("C", "https://c.example/f")])
    assert names(edited) == ["A", "B", "C"] and "\n\n" not in edited  # no blank lines, like the file
    assert names(remove_source(edited, "A")[0]) == ["B", "C"]


def test_flow_style_list_is_refused_with_a_hint():
    text = "sources: [{name: A, feed_url: 'https://a.example/f', tier: 1, domains: [x]}]\n"
    with pytest.raises(SourcesEditError, match="block list"):
        add_sources(text, [source("B", "https://b.example/f")])


def test_shipped_sources_file_survives_remove_then_add():
    text = SHIPPED.read_text(encoding="utf-8")
    for original in parse_sources(text):
        edited, removed = remove_source(text, original.id)
        assert removed == original
        back = parse_sources(add_sources(edited, [removed]))
        assert sorted(back, key=lambda s: s.id) == sorted(parse_sources(text), key=lambda s: s.id)
        assert [line for line in edited.splitlines() if line.lstrip().startswith("#")] == [
            line for line in text.splitlines() if line.lstrip().startswith("#")
        ]
