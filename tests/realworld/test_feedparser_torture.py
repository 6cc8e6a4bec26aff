"""feedparser's own test documents (~2,100 real-world edge cases) through our fetch-less path:
parse_feed(bytes, headers) → post_from_entry → render_raw_post → parse_raw_post.

No document may make that path fail with anything but our typed errors, and every document ends either in posts
or in a message a person can read (why it is not a feed, why an entry was left out, that the feed is empty).
Documents the suite serves over HTTP (`http` in the name) get the response headers their `Header:` comments
describe, as feedparser's own suite does; the others are parsed with no headers, as a file.
"""

from __future__ import annotations

import re
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest

from graph.errors import WikigraphError
from ingest.feeds import parse_feed
from ingest.posts import InvalidEntry, parse_raw_post, post_from_entry, raw_post_relpath, render_raw_post
from ingest.sources import Source

pytestmark = pytest.mark.realworld

DOCUMENT_SUFFIXES = (".xml", ".json", ".rdf")
HEADER_LINE = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
# The start of a document's `Expect:` line when it says whether feedparser must find the document malformed.
EXPECT_BOZO = re.compile(r"Expect:\s*(not\s+)?bozo\b")
# Where feedparser's suite serves its HTTP documents from; relative links resolve against it.
SUITE_HOST = "http://127.0.0.1:8097/"
SOURCE = Source(id="torture", name="Torture", feed_url="https://torture.example/feed", tier=3, domains=("misc",))
NOW = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class Outcome:
    """What our path made of one document."""

    path: str
    # What the document's `Expect:` line says about bozo (None: it does not say).
    expect_bozo: bool | None = None
    posts: int = 0
    feed: bool = False
    bozo: bool = False
    not_a_feed: str | None = None
    skipped: list[str] = field(default_factory=list)
    crash: str | None = None

    @property
    def message(self) -> str | None:
        """The readable account of a document that produced no post."""
        if self.not_a_feed:
            return self.not_a_feed
        if self.skipped:
            return "; ".join(self.skipped)
        if self.feed:
            return "a feed with no entries"
        return None


def documents(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file() and path.suffix in DOCUMENT_SUFFIXES)


def response_headers(path: Path, suite_root: Path) -> dict[str, str]:
    """The headers feedparser's suite sends with `path`: none for a local file; for an HTTP document its `Header:`
    comments, text/xml when they name no type, and the URL it is served from (the base of relative links)."""
    relative = PurePosixPath(path.relative_to(suite_root.parent).as_posix())
    if "http" not in relative.as_posix():
        return {}
    text = path.read_bytes().decode("utf-8", errors="ignore")
    headers = {name.strip().lower(): value.strip() for name, value in HEADER_LINE.findall(text)}
    headers.setdefault("content-type", "text/xml")
    headers.setdefault("content-location", SUITE_HOST + relative.as_posix())
    return headers


def expected_bozo(path: Path) -> bool | None:
    match = EXPECT_BOZO.search(path.read_bytes().decode("utf-8", errors="ignore"))
    return None if match is None else match.group(1) is None


def run_document(path: Path, suite_root: Path) -> Outcome:
    outcome = Outcome(path=path.relative_to(suite_root).as_posix(), expect_bozo=expected_bozo(path))
    try:
        feed = parse_feed(path.read_bytes(), response_headers(path, suite_root))
    except WikigraphError as exc:  # NotAFeed: a typed, readable refusal
        outcome.not_a_feed = f"{type(exc).__name__}: {exc}"
        return outcome
    except Exception:  # noqa: BLE001 - anything else is exactly what this test looks for
        outcome.crash = traceback.format_exc(limit=4)
        return outcome
    outcome.feed, outcome.bozo = True, feed.bozo
    for position, entry in enumerate(feed.entries):
        try:
            post = post_from_entry(entry, SOURCE, NOW)
        except InvalidEntry as exc:
            outcome.skipped.append(f"entry {position}: {exc}")
            continue
        except Exception:  # noqa: BLE001
            outcome.crash = f"entry {position}:\n{traceback.format_exc(limit=4)}"
            return outcome
        problem = _file_problem(post)
        if problem:
            outcome.crash = f"entry {position}: {problem}"
            return outcome
        outcome.posts += 1
    return outcome


def _file_problem(post) -> str | None:
    """Why the post's file would be wrong: it does not read back as written, or its name escapes raw/rss/."""
    try:
        text = render_raw_post(post)
        back = parse_raw_post(text)
    except Exception:  # noqa: BLE001
        return traceback.format_exc(limit=4)
    if back != post:
        return f"raw file does not read back as written: {post.title!r}"
    relpath = PurePosixPath(raw_post_relpath(post))
    if relpath.parent != PurePosixPath("raw/rss") or not relpath.name.endswith(".md") or ".." in relpath.parts:
        return f"unsafe raw file name {relpath}"
    return None


def tally(outcomes: list[Outcome]) -> Counter:
    counts: Counter = Counter(files=len(outcomes))
    for outcome in outcomes:
        counts["crashes"] += outcome.crash is not None
        counts["not a feed"] += outcome.not_a_feed is not None
        counts["feeds"] += outcome.feed
        counts["bozo feeds"] += outcome.bozo
        counts["files with posts"] += outcome.posts > 0
        counts["empty feeds"] += outcome.feed and not outcome.posts and not outcome.skipped and outcome.crash is None
        counts["posts"] += outcome.posts
        counts["entries left out"] += len(outcome.skipped)
    return counts


def test_feedparser_suite_through_the_ingest_path(shared_dir, record_property, capsys):
    suite_root = shared_dir / "corpora" / "feedparser-tests" / "tests"
    files = documents(suite_root)
    assert len(files) > 2000, f"expected feedparser's ~2,100 test documents in {suite_root}"

    outcomes = [run_document(path, suite_root) for path in files]
    counts = tally(outcomes)
    for key, value in counts.items():
        record_property(key, value)
    with capsys.disabled():
        print("\nfeedparser torture suite: " + ", ".join(f"{key} {value}" for key, value in counts.items()))

    crashes = [f"{o.path}: {o.crash}" for o in outcomes if o.crash]
    assert not crashes, f"{len(crashes)} documents broke the ingest path:\n" + "\n".join(crashes[:10])
    silent = [o.path for o in outcomes if o.posts == 0 and not o.message]
    assert not silent, f"documents with neither posts nor a readable message: {silent[:10]}"
    unreadable = [o.path for o in outcomes if o.not_a_feed and not re.search(r"not a feed|empty", o.not_a_feed)]
    assert not unreadable, f"refusals that do not say what is wrong: {unreadable[:10]}"
    # Headers matter (a text/plain charset makes a feed malformed, a declared encoding may not): where a document
    # says whether it is malformed, our reading of it must agree.
    disagree = [o.path for o in outcomes if o.feed and o.expect_bozo is not None and o.bozo != o.expect_bozo]
    assert not disagree, f"bozo differs from the document's Expect line: {disagree[:10]}"
    assert sum(o.expect_bozo is not None and o.feed for o in outcomes) > 1500
    # The counts describe the corpus; they must add up whatever it holds.
    assert counts["feeds"] + counts["not a feed"] + counts["crashes"] == counts["files"]
    assert counts["files with posts"] + counts["empty feeds"] + counts["not a feed"] <= counts["files"]
