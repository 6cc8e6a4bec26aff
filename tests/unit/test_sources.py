"""sources.yaml: valid files load; every mistake is reported with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import WikigraphError
from ingest.sources import Source, SourcesError, load_sources

VALID = """\
sources:
  - name: Gradient Notes
    feed_url: https://gradient-notes.example/feed.xml
    tier: 1
    domains: [ml-research, evaluation]
  - name: "Lab Log: Weekly"
    feed_url: http://127.0.0.1:8080/atom
    tier: 3
    domains:
      - engineering
    url: https://lab-log.example/
    allow_private: true
    fetch_full_article: true
    poll_interval: 30
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_every_field(tmp_path):
    sources = load_sources(write(tmp_path, VALID))
    assert sources == [
        Source(
            id="gradient-notes",
            name="Gradient Notes",
            feed_url="https://gradient-notes.example/feed.xml",
            tier=1,
            domains=("ml-research", "evaluation"),
        ),
        Source(
            id="lab-log-weekly",
            name="Lab Log: Weekly",
            feed_url="http://127.0.0.1:8080/atom",
            tier=3,
            domains=("engineering",),
            allow_private=True,
            url="https://lab-log.example/",
            fetch_full_article=True,
            poll_interval=30,
        ),
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("tier: 3", "tier: 9", 8, "tier must be an integer 1..5"),
        ("tier: 3", "tier: '3'", 8, "tier must be an integer 1..5"),
        ("tier: 3", "tier: true", 8, "tier must be an integer 1..5"),
        ("http://127.0.0.1:8080/atom", "ftp://127.0.0.1/atom", 7, "feed_url must be an http(s) URL"),
        ("domains: [ml-research, evaluation]", "domains: []", 5, "domains must be a non-empty list"),
        ("allow_private: true", "allow_private: sometimes", 12, "allow_private must be true or false"),
        ("    url: https://lab-log.example/\n", "    homepage: https://x.example/\n", 11, "unknown field 'homepage'"),
        ("  - name: Gradient Notes\n", "  - name: '  '\n", 2, "name must be a non-empty string"),
        ("    tier: 1\n", "    tier: 1\n    tier: 2\n", 5, "duplicate key 'tier' (first on line 4)"),
        ("domains: [ml-research, evaluation]", "domains: [ml-research, evaluation", 6, "invalid YAML"),
        ("fetch_full_article: true", "fetch_full_article: yes please", 13, "fetch_full_article must be true or false"),
        ("poll_interval: 30", "poll_interval: 2", 14, "poll_interval must be at least 5 minutes, got 2"),
        ("poll_interval: 30", "poll_interval: 7.5", 14, "poll_interval must be a whole number of minutes"),
        ("poll_interval: 30", "poll_interval: '30'", 14, "poll_interval must be a whole number of minutes"),
    ],
)
def test_mistakes_name_file_and_line(tmp_path, old, new, line, message):
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new))
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)
    assert caught.value.line == line
    assert isinstance(caught.value, WikigraphError)


def test_missing_required_field_points_at_the_source(tmp_path):
    path = write(tmp_path, VALID.replace("    tier: 1\n", ""))
    with pytest.raises(SourcesError, match=r"sources.yaml:2: source is missing 'tier'"):
        load_sources(path)


@pytest.mark.parametrize(
    ("second_name", "second_url", "message"),
    [
        ("Gradient Notes", "https://other.example/feed", "duplicate source name 'Gradient Notes' (first on line 2)"),
        ("GRADIENT NOTES", "https://other.example/feed", "duplicate source name"),
        ("Gradient-Notes", "https://other.example/feed", "duplicate source id 'gradient-notes' (first on line 2)"),
        ("Other", "https://gradient-notes.example/feed.xml", "duplicate source feed_url"),
    ],
)
def test_duplicate_sources_are_rejected(tmp_path, second_name, second_url, message):
    text = VALID.replace('"Lab Log: Weekly"', repr(second_name)).replace("http://127.0.0.1:8080/atom", second_url)
    with pytest.raises(SourcesError) as caught:
        load_sources(write(tmp_path, text))
    assert ":6: " in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "sources.yaml:1: empty file"),
        ("feeds: []\n", "sources.yaml:1: missing 'sources:' list"),
        ("sources: 3\n", "sources.yaml:1: 'sources' must be a list"),
        ("sources:\n  - just a string\n", "sources.yaml:2: each source must be a mapping"),
    ],
)
def test_wrong_shapes(tmp_path, text, message):
    with pytest.raises(SourcesError, match=message):
        load_sources(write(tmp_path, text))


def test_empty_list_is_no_sources(tmp_path):
    assert load_sources(write(tmp_path, "sources:\n")) == []
    assert load_sources(write(tmp_path, "sources: []\n")) == []


def test_missing_file(tmp_path):
    with pytest.raises(SourcesError, match="file not found"):
        load_sources(tmp_path / "absent.yaml")


def test_domains_are_stripped_and_deduplicated(tmp_path):
    text = VALID.replace("domains: [ml-research, evaluation]", "domains: [' ml-research ', evaluation, ml-research]")
    assert load_sources(write(tmp_path, text))[0].domains == ("ml-research", "evaluation")


def test_optional_keys_default_to_off_and_the_scheduler_interval(tmp_path):
    first = load_sources(write(tmp_path, VALID))[0]
    assert (first.fetch_full_article, first.poll_interval, first.allow_private) == (False, None, False)


def test_poll_interval_minimum_is_accepted(tmp_path):
    assert load_sources(write(tmp_path, VALID.replace("poll_interval: 30", "poll_interval: 5")))[1].poll_interval == 5
