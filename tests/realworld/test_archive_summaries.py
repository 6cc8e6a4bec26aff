"""The extractive summarizer over a sample of real posts (a one-author AI newsletter archive, 2020–2025),
summarised oldest first into a growing wiki with the real entity linker: every note has every section, no
section is empty without saying why, no quoted sentence is longer than the post's longest, and every TL;DR
sentence is the post's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.summarize.extractive import ExtractiveSummarizer
from tests.support.archive_summaries import ArchiveWiki, load_archive, summary_problems

pytestmark = [pytest.mark.realworld, pytest.mark.slow]

SAMPLE_EVERY = 10  # 20 of the 196 posts, spread over the years


def test_sampled_archive_notes_have_every_property(shared_dir: Path, embedder, tmp_path: Path) -> None:
    posts = load_archive(shared_dir)[::SAMPLE_EVERY]
    assert len(posts) >= 15, "the archive should hold about 196 posts"
    summarizer = ExtractiveSummarizer(embedder)
    wiki = ArchiveWiki(embedder, tmp_path)
    problems, connected = {}, 0
    for post in posts:
        summary = summarizer.summarize(post.title, post.body, wiki.context(post))
        wiki.add(post, summary, summarizer.name)
        found = summary_problems(post, summary, summarizer.name)
        if found:
            problems[post.id] = found
        connected += bool(summary.connections)
    assert problems == {}
    # A growing wiki of posts on one field: most later notes find something to connect to.
    assert connected >= len(posts) // 2
