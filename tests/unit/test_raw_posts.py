"""Raw posts: built from entries, rendered and parsed back exactly, written idempotently into the vault."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import NoteFormatError
from graph.vault import Vault
from ingest.feeds import FeedEntry
from ingest.posts import (
    InvalidEntry,
    RawIndex,
    RawPost,
    RawPostError,
    parse_raw_post,
    post_from_entry,
    raw_post_relpath,
    read_raw_posts,
    render_raw_post,
    store_raw_post,
    write_raw_post,
)
from ingest.sources import Source

NOW = datetime(2024, 3, 6, 12, 0, 30, 123456, tzinfo=timezone.utc)
GRADIENT = Source(id="gradient-notes", name="Gradient Notes", feed_url="https://g.example/feed", tier=2,
                  domains=("ml-research",))
LAB = Source(id="lab-log", name="Lab Log", feed_url="https://lab.example/feed", tier=1, domains=("engineering",))


def entry(**changes) -> FeedEntry:
    base = FeedEntry(
        guid="https://g.example/posts/sparse",
        title="Sparse attention, revisited",
        link="https://g.example/posts/sparse?utm_source=rss",
        published=datetime(2024, 3, 5, 8, 30, tzinfo=timezone.utc),
        author="Ada Fixture",
        content_html='<p>Block-sparse <a href="/papers/bs">attention</a>.</p><script>x()</script>',
        summary_html="<p>A short look back.</p>",
    )
    return replace(base, **changes)


# --- building a post from an entry -------------------------------------------------------------------------------

def test_post_from_entry_fields():
    post = post_from_entry(entry(), GRADIENT, NOW)
    assert post.title == "Sparse attention, revisited"
    assert post.url == "https://g.example/posts/sparse"  # tracking parameters dropped
    assert post.published == datetime(2024, 3, 5, 8, 30, tzinfo=timezone.utc)
    assert post.fetched_at == NOW.replace(microsecond=0)
    assert post.sources == ["gradient-notes"] and post.tier == 2 and post.domains == ["ml-research"]
    assert post.body == "Block-sparse [attention](https://g.example/papers/bs)."
    assert not post.excerpt and not post.undated and not post.truncated
    assert len(post.id) == 16 and len(post.content_hash) == 64


def test_id_and_content_hash_do_not_depend_on_fetch_time_or_source():
    first = post_from_entry(entry(), GRADIENT, NOW)
    later = post_from_entry(entry(), LAB, NOW + timedelta(days=3))
    assert later.id == first.id
    assert later.content_hash == first.content_hash


def test_content_hash_follows_title_body_and_url():
    base = post_from_entry(entry(), GRADIENT, NOW)
    assert post_from_entry(entry(title="Retitled"), GRADIENT, NOW).content_hash != base.content_hash
    assert post_from_entry(entry(content_html="<p>Edited.</p>"), GRADIENT, NOW).content_hash != base.content_hash
    moved = post_from_entry(entry(link="https://g.example/posts/sparse-2"), GRADIENT, NOW)
    assert moved.content_hash != base.content_hash
    assert moved.id == base.id  # the guid is strong: a new link is the same post


def test_summary_is_used_when_there_is_no_content():
    post = post_from_entry(entry(content_html=""), GRADIENT, NOW)
    assert post.body == "A short look back."
    assert post.excerpt


def test_undated_entry_is_dated_by_first_sight():
    post = post_from_entry(entry(published=None), GRADIENT, NOW)
    assert post.published == NOW.replace(microsecond=0)
    assert post.undated


def test_untitled_entry_takes_its_first_words():
    words = " ".join(f"<b>w{i}</b>" for i in range(20))
    post = post_from_entry(entry(title="", content_html=f"<p><a href=\"/x\">{words}</a></p>"),
                           GRADIENT, NOW)
    assert post.title == "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 …"


def test_entry_with_nothing_is_rejected():
    with pytest.raises(InvalidEntry):
        post_from_entry(FeedEntry(None, "", None, None, None, "", ""), GRADIENT, NOW)


def test_naive_fetch_time_is_a_bug():
    with pytest.raises(ValueError, match="naive"):
        post_from_entry(entry(), GRADIENT, datetime(2024, 1, 1))


def test_overlong_body_is_cut_at_a_paragraph(monkeypatch):
    import ingest.posts as posts

    monkeypatch.setattr(posts, "MAX_BODY_CHARS", 50)
    post = post_from_entry(entry(content_html="<p>" + "a" * 30 + "</p><p>" + "b" * 30 + "</p>"), GRADIENT, NOW)
    assert post.truncated
    assert post.body == "a" * 30


def test_relpath():
    post = post_from_entry(entry(), GRADIENT, NOW)
    assert raw_post_relpath(post) == "raw/rss/2024-03-05-gradient-notes-sparse-attention-revisited.md"
    assert raw_post_relpath(replace(post, title="???")) == f"raw/rss/2024-03-05-gradient-notes-{post.id}.md"
    assert raw_post_relpath(replace(post, path="raw/rss/elsewhere.md")) == "raw/rss/elsewhere.md"


# --- the file format ---------------------------------------------------------------------------------------------

def test_render_then_parse_is_exact():
    post = post_from_entry(entry(), GRADIENT, NOW)
    text = render_raw_post(post)
    assert text.startswith("---\nid: ")
    parsed = parse_raw_post(text)
    assert parsed == post
    assert render_raw_post(parsed) == text


names = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.just(timezone.utc)).map(lambda d: d.replace(microsecond=0))


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(max_size=80),
    body=st.text(max_size=300),
    url=st.none() | st.text(min_size=1, max_size=40),
    author=st.none() | st.text(min_size=1, max_size=20),
    guid=st.none() | st.text(min_size=1, max_size=40),
    sources=st.lists(names, min_size=1, max_size=3),
    domains=st.lists(names, min_size=1, max_size=3),
    tier=st.integers(1, 5),
    published=moments,
    fetched_at=moments,
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    notes=st.tuples(*[st.none() | st.text(min_size=1, max_size=40)] * 3),
)
def test_round_trip_property(title, body, url, author, guid, sources, domains, tier, published, fetched_at, flags,
                             notes):
    post = RawPost(id="0123456789abcdef", title=title, url=url, published=published, author=author, sources=sources,
                   tier=tier, domains=domains, guid=guid, content_hash="f" * 64, fetched_at=fetched_at, body=body,
                   truncated=flags[0], undated=flags[1], excerpt=flags[2], date_flag=notes[0], full_article=notes[1],
                   feed_hash=notes[2])
    text = render_raw_post(post)
    assert parse_raw_post(text) == post
    assert render_raw_post(parse_raw_post(text)) == text


@pytest.mark.parametrize(
    ("mutate", "message", "line"),
    [
        (lambda t: t.replace("tier: 2", "tier: two"), "tier must be an integer", 9),
        (lambda t: t.replace("published: '2024-03-05T08:30:00Z'", "published: yesterday"), "published is not", 5),
        (lambda t: t.replace("sources:\n- gradient-notes\n", "sources: []\n"), "sources must be a non-empty list", 7),
        (lambda t: t.replace("title: Sparse", "title: [Sparse"), "invalid front matter", 4),  # where YAML notices
        (lambda t: t.removeprefix("---\n"), "no front matter", 1),
    ],
)
def test_bad_files_name_the_line(mutate, message, line):
    text = mutate(render_raw_post(post_from_entry(entry(), GRADIENT, NOW)))
    with pytest.raises(RawPostError) as caught:
        parse_raw_post(text, "raw/rss/x.md")
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"raw/rss/x.md:{caught.value.line}: ")
    assert caught.value.line == line
    assert isinstance(caught.value, NoteFormatError)


# --- writing into the vault --------------------------------------------------------------------------------------

@pytest.fixture
def vault(tmp_path) -> Vault:
    return Vault(tmp_path / "wiki_content")


def test_write_new_then_unchanged_keeps_file_and_fetch_time(vault):
    post = post_from_entry(entry(), GRADIENT, NOW)
    assert write_raw_post(vault, post) == "new"
    path = vault.root / raw_post_relpath(post)
    before = path.read_text(encoding="utf-8"), path.stat().st_mtime_ns
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # an old mtime: any rewrite would change it

    again = post_from_entry(entry(), GRADIENT, NOW + timedelta(hours=5))
    assert write_raw_post(vault, again) == "unchanged"
    assert path.read_text(encoding="utf-8") == before[0]
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert read_raw_posts(vault)[0].fetched_at == NOW.replace(microsecond=0)
    assert [p.name for p in vault.raw_paths()] == [path.name]


def test_changed_post_is_updated_in_place_even_when_retitled(vault):
    first = post_from_entry(entry(), GRADIENT, NOW)
    write_raw_post(vault, first)
    later = NOW + timedelta(days=1)
    status, stored = store_raw_post(vault, post_from_entry(entry(title="Sparse attention, re-revisited",
                                                                 content_html="<p>Updated.</p>"), GRADIENT, later))
    assert status == "changed"
    assert stored.path == raw_post_relpath(first)  # same file as before, not a new slug
    [only] = read_raw_posts(vault)
    assert only.title == "Sparse attention, re-revisited" and only.body == "Updated."
    assert only.fetched_at == later.replace(microsecond=0)
    assert only.path == stored.path


def test_second_source_joins_without_overwriting_content(vault):
    write_raw_post(vault, post_from_entry(entry(), GRADIENT, NOW))
    other_body = post_from_entry(entry(content_html="<p>A shorter copy.</p>"), LAB, NOW)
    assert write_raw_post(vault, other_body) == "changed"
    [only] = read_raw_posts(vault)
    assert only.sources == ["gradient-notes", "lab-log"]
    assert only.tier == 1 and only.domains == ["ml-research", "engineering"]
    assert only.body == "Block-sparse [attention](https://g.example/papers/bs)."
    # Both sources seen again: nothing flips back and forth.
    assert write_raw_post(vault, post_from_entry(entry(), GRADIENT, NOW)) == "unchanged"
    assert write_raw_post(vault, other_body) == "unchanged"


def test_undated_post_keeps_its_first_seen_date(vault):
    write_raw_post(vault, post_from_entry(entry(published=None), GRADIENT, NOW))
    two_days_later = post_from_entry(entry(published=None), GRADIENT, NOW + timedelta(days=2))
    assert write_raw_post(vault, two_days_later) == "unchanged"
    assert read_raw_posts(vault)[0].published == NOW.replace(microsecond=0)


@pytest.mark.parametrize(
    ("published", "flag"),
    [
        (datetime(1, 1, 1, tzinfo=timezone.utc), "feed date 0001-01-01T00:00:00Z is before 1990"),
        (datetime(1989, 12, 31, 23, 0, tzinfo=timezone.utc), "is before 1990"),
        (datetime(2099, 12, 31, tzinfo=timezone.utc), "feed date 2099-12-31T00:00:00Z is more than a day after"),
        (NOW + timedelta(days=1, minutes=1), "more than a day after it was fetched"),
    ],
)
def test_impossible_dates_are_flagged_and_replaced_by_the_fetch_time(vault, published, flag):
    post = post_from_entry(entry(published=published), GRADIENT, NOW)
    assert post.published == NOW.replace(microsecond=0)
    assert flag in post.date_flag and not post.undated
    assert "\ndate_flag: " in render_raw_post(post) and parse_raw_post(render_raw_post(post)).date_flag == post.date_flag
    write_raw_post(vault, post)
    next_week = post_from_entry(entry(published=published), GRADIENT, NOW + timedelta(days=7))
    assert write_raw_post(vault, next_week) == "unchanged"  # the first fetch time stands, not each run's
    assert read_raw_posts(vault)[0].published == NOW.replace(microsecond=0)


def test_plausible_dates_are_normalised_to_utc_and_kept():
    plus_two = timezone(timedelta(hours=2))
    post = post_from_entry(entry(published=datetime(2024, 3, 5, 10, 30, 15, 999, tzinfo=plus_two)), GRADIENT, NOW)
    assert post.published == datetime(2024, 3, 5, 8, 30, 15, tzinfo=timezone.utc)
    assert post.date_flag is None
    within_a_day = post_from_entry(entry(published=NOW + timedelta(hours=20)), GRADIENT, NOW)  # time zones, clocks
    assert within_a_day.published == (NOW + timedelta(hours=20)).replace(microsecond=0)
    assert within_a_day.date_flag is None
    assert "date_flag" not in render_raw_post(post)


@pytest.mark.parametrize(
    ("content", "truncated"),
    [
        ("<p>Block-sparse attention keeps local windows.</p><p><a href='/p'>Read more</a></p>", True),
        ("<p>Block-sparse attention keeps local windows.</p><div class='paywall-jump'></div>", True),
        ("<p>Block-sparse attention keeps local windows and […]</p>", True),
        ("<p>Block-sparse attention keeps local windows.</p><p>Read more about it in the paper.</p>", False),
        ("<p>Block-sparse attention keeps local windows.</p>", False),
    ],
)
def test_teasers_are_marked_truncated(content, truncated):
    post = post_from_entry(entry(content_html=content), GRADIENT, NOW)
    assert post.truncated is truncated
    assert "paywall" not in post.body and ("Read more" in post.body) == ("Read more" in content)


def test_same_file_name_for_a_different_post_gets_a_suffix(vault):
    one = post_from_entry(entry(guid="tag:g.example,2024:1"), GRADIENT, NOW)
    two = post_from_entry(entry(guid="tag:g.example,2024:2", content_html="<p>Another post.</p>"), GRADIENT, NOW)
    assert raw_post_relpath(one) == raw_post_relpath(two)
    assert write_raw_post(vault, one) == "new"
    status, stored = store_raw_post(vault, two)
    assert status == "new"
    assert stored.path == raw_post_relpath(one).removesuffix(".md") + f"-{two.id[:8]}.md"
    assert sorted(p.id for p in read_raw_posts(vault)) == sorted([one.id, two.id])


def test_shared_index_sees_files_written_through_it_and_hand_deletions(vault):
    index = RawIndex(vault)
    post = post_from_entry(entry(), GRADIENT, NOW)
    assert write_raw_post(vault, post, index) == "new"
    assert index.path_of(post.id) == raw_post_relpath(post)
    (vault.root / raw_post_relpath(post)).unlink()
    assert write_raw_post(vault, post, index) == "new"
    assert len(read_raw_posts(vault)) == 1


def test_read_raw_posts_reports_a_broken_file(vault):
    write_raw_post(vault, post_from_entry(entry(), GRADIENT, NOW))
    (vault.raw_dir / "2024-01-01-broken.md").write_text("---\ntier: [\n---\n", encoding="utf-8")
    with pytest.raises(RawPostError, match=r"raw/rss/2024-01-01-broken.md:\d+: invalid front matter"):
        read_raw_posts(vault)
