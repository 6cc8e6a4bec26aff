"""One post whose note cannot be written does not stop the others, and is retried next run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from api.jobs import open_services
from ingest.fetch import Fetcher, make_http_client
from ingest.pipeline import IngestReport, run_ingest
from ingest.sources import load_sources
from ingest.state import SourceStateStore
from ingest.summarize.base import Summary
from tests.support.lamplight import lamplight_workspace


class HeadingInTldr:
    """Writes a TL;DR the note format cannot hold for one post (a `## ` line would start a new section)."""

    name = "test-heading"

    def __init__(self, bad_title: str) -> None:
        self.bad_title = bad_title

    def summarize(self, title, body_markdown, context) -> Summary:
        tldr = f"Summary of {title}."
        if title == self.bad_title:
            tldr += "\n\n## Not a section"
        return Summary(tldr, "Why.", [], ["Angle."], ["Question?"])


@dataclass
class Run:
    """A wiki with the Lamplight fixture feed served on loopback, and a way to ingest it with a summarizer."""

    wiki: Path
    ingest: Callable[[object], IngestReport]


@pytest.fixture
def lamplight(tmp_path) -> Iterator[Run]:
    with lamplight_workspace(tmp_path) as (settings, _), open_services(settings) as services, make_http_client() as client:
        state = SourceStateStore(settings.paths.data_dir)
        now = datetime.now(timezone.utc)
        sources_file = settings.paths.wiki_dir / "sources.yaml"

        def ingest(summarizer) -> IngestReport:
            return run_ingest(load_sources(sources_file), Fetcher(client), state, services.projection, summarizer, now)

        yield Run(settings.paths.wiki_dir, ingest)


def test_bad_note_is_recorded_and_skipped(lamplight) -> None:
    report = lamplight.ingest(HeadingInTldr("Text Watermarks Rarely Survive a Paraphrase"))
    assert len(report.notes_written) == 3
    assert len(report.notes_failed) == 1
    [(raw_path, reason)] = report.notes_failed.items()
    assert "watermarks" in raw_path and reason
    assert (lamplight.wiki / raw_path).exists()  # the raw post is kept for the next run

    again = lamplight.ingest(HeadingInTldr("no such title"))
    assert again.notes_failed == {} and len(again.notes_written) == 1
    assert len(list((lamplight.wiki / "notes").glob("*.md"))) == 4


def test_a_raw_post_broken_by_hand_is_reported_and_the_others_summarised(lamplight) -> None:
    wiki, summarizer = lamplight.wiki, HeadingInTldr("no such title")
    assert len(lamplight.ingest(summarizer).notes_written) == 4
    broken, redone = sorted((wiki / "raw" / "rss").glob("*.md"))[:2]
    broken.write_text("---\ntitle: [unclosed\n---\nA hand edit.\n", encoding="utf-8")
    (wiki / "notes" / redone.name).unlink()

    again = lamplight.ingest(summarizer)
    assert list(again.notes_failed) == [f"raw/rss/{broken.name}"]
    assert len(again.notes_written) == 1 and (wiki / "notes" / redone.name).exists()
    assert broken.read_text(encoding="utf-8") == "---\ntitle: [unclosed\n---\nA hand edit.\n"
    assert (wiki / "notes" / broken.name).exists()  # its note stays as it was
