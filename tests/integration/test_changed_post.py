"""A post that changes at its source is summarised again, and nothing else is rewritten.

Loopback feed → ingest → the feed edits one entry (same guid, new text) → ingest again: that post's raw file and
note are rewritten (new content hash, new TL;DR, in the graph too); every other raw post and note stays byte for
byte and untouched on disk; a third ingest writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.jobs import ingest_once, open_services
from graph.notes_md import parse_note
from ingest.posts import read_raw_posts
from tests.support.lamplight import FIXTURE, lamplight_workspace

# A correction in the sentence the extractive summary leads with, so the new TL;DR must differ from the old one.
ORIGINAL_TEXT = "a very large electrical load that lasts for months"
EDITED_TEXT = "a very large electrical load that lasts for a whole season, night and day"


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in sorted(folder.glob("*.md"))}


@pytest.fixture
def workspace(tmp_path):
    with lamplight_workspace(tmp_path) as opened:
        yield opened


def test_changed_entry_is_summarised_again_and_nothing_else_is_rewritten(workspace):
    settings, server = workspace
    wiki = settings.paths.wiki_dir
    feed = FIXTURE.read_text(encoding="utf-8")
    assert feed.count(ORIGINAL_TEXT) == 1
    with open_services(settings) as services:
        first = ingest_once(services)
        assert first.errors == {} and len(first.notes_written) == 4
        raw_before, notes_before = _files(wiki / "raw" / "rss"), _files(wiki / "notes")
        posts_before = {post.path: post for post in read_raw_posts(services.vault)}

        server.add("/lamplight.xml", feed.replace(ORIGINAL_TEXT, EDITED_TEXT).encode("utf-8"))
        second = ingest_once(services)
        assert second.errors == {}
        [result] = second.refreshed
        [changed] = result.changed
        assert (result.new, result.unchanged) == ([], 3)
        note_id = Path(changed.path).stem
        assert second.notes_written == [note_id]

        raw_after, notes_after = _files(wiki / "raw" / "rss"), _files(wiki / "notes")
        name = f"{note_id}.md"
        assert raw_after.keys() == raw_before.keys() and notes_after.keys() == notes_before.keys()
        assert {k: v for k, v in raw_after.items() if k != name} == {k: v for k, v in raw_before.items() if k != name}
        assert {k: v for k, v in notes_after.items() if k != name} == \
            {k: v for k, v in notes_before.items() if k != name}

        old_post, new_post = posts_before[changed.path], changed
        assert (new_post.id, new_post.title) == (old_post.id, old_post.title)  # the same post, edited
        assert new_post.content_hash != old_post.content_hash
        old_note = parse_note(notes_before[name][1].decode("utf-8"))
        new_note = parse_note((wiki / "notes" / name).read_text(encoding="utf-8"))
        assert old_note.content_hash == old_post.content_hash and new_note.content_hash == new_post.content_hash
        assert new_note.tldr != old_note.tldr
        assert new_note.raw == old_note.raw and new_note.url == old_note.url
        projected = services.store.get_notes([note_id])[note_id]
        assert (projected["content_hash"], projected["tldr"]) == (new_note.content_hash, new_note.tldr)

        third = ingest_once(services)
        assert not third.wrote_anything
        assert _files(wiki / "raw" / "rss") == raw_after and _files(wiki / "notes") == notes_after
