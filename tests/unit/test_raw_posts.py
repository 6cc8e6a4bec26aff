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
    assert post.url == "https://g.example/posts/sparse?utm_source=rss"  # as the feed gave it
    assert post.canonical_url == "https://g.example/posts/sparse"  # tracking parameters dropped
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
    canonical=st.none() | st.text(min_size=1, max_size=40),
    merged_ids=st.lists(names, max_size=2),
)
def test_round_trip_property(title, body, url, author, guid, sources, domains, tier, published, fetched_at, flags,
                             notes, canonical, merged_ids):
    post = RawPost(id="0123456789abcdef", title=title, url=url, published=published, author=author, sources=sources,
                   tier=tier, domains=domains, guid=guid, content_hash="f" * 64, fetched_at=fetched_at, body=body,
                   truncated=flags[0], undated=flags[1], excerpt=flags[2], date_flag=notes[0], full_article=notes[1],
                   feed_hash=notes[2], canonical_url=canonical, merged_ids=merged_ids)
    text = render_raw_post(post)
    assert parse_raw_post(text) == post
    assert render_raw_post(parse_raw_post(text)) == text


def legacy_text(post: RawPost) -> str:
    """The post as written before `canonical_url` existed: `url` held the cleaned link."""
    text = render_raw_post(post)
    legacy = text.replace(f"url: {post.url}\ncanonical_url: {post.canonical_url}\n", f"url: {post.canonical_url}\n")
    assert legacy != text and "canonical_url" not in legacy
    return legacy


def test_file_without_canonical_url_reads_its_url_as_the_canonical_one():
    post = post_from_entry(entry(), GRADIENT, NOW)
    parsed = parse_raw_post(legacy_text(post))
    assert parsed.url == parsed.canonical_url == "https://g.example/posts/sparse"
    assert parsed.content_hash == post.content_hash and parsed.merged_ids == []


def test_canonical_url_null_stays_null():
    post = post_from_entry(entry(link=None), GRADIENT, NOW)
    assert post.url is None and post.canonical_url is None
    assert "\ncanonical_url: null\n" in render_raw_post(post)
    assert parse_raw_post(render_raw_post(post)).canonical_url is None


@pytest.mark.parametrize(
    ("mutate", "message", "line"),
    [
        (lambda t: t.replace("tier: 2", "tier: two"), "tier must be an integer", 10),
        (lambda t: t.replace("published: '2024-03-05T08:30:00Z'", "published: yesterday"), "published is not", 6),
        (lambda t: t.replace("sources:\n- gradient-notes\n", "sources: []\n"), "sources must be a non-empty list", 8),
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


# --- one post, several feeds, by canonical URL -------------------------------------------------------------------

def lab_copy(**changes) -> FeedEntry:
    """The Gradient post as another feed carries it: its own guid, the link with other tracking parameters."""
    base = {"guid": "tag:lab.example,2024:mirror-17", "content_html": "<p>A shorter copy.</p>",
            "link": "https://G.example/posts/sparse?utm_medium=feed&fbclid=9"}
    return entry(**(base | changes))


def test_file_written_before_canonical_url_is_not_rewritten(vault):
    post = post_from_entry(entry(), GRADIENT, NOW)
    path = vault.root / raw_post_relpath(post)
    path.parent.mkdir(parents=True)
    path.write_text(legacy_text(post), encoding="utf-8")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert write_raw_post(vault, post_from_entry(entry(), GRADIENT, NOW + timedelta(days=1))) == "unchanged"
    assert path.read_text(encoding="utf-8") == legacy_text(post) and path.stat().st_mtime_ns == 1_000_000_000
    # A real change rewrites it, now with both fields.
    status, stored = store_raw_post(vault, post_from_entry(entry(content_html="<p>Edited.</p>"), GRADIENT, NOW))
    assert status == "changed" and stored.path == raw_post_relpath(post)
    assert "\ncanonical_url: https://g.example/posts/sparse\n" in path.read_text(encoding="utf-8")


def test_new_tracking_parameters_alone_change_nothing(vault):
    write_raw_post(vault, post_from_entry(entry(), GRADIENT, NOW))
    retagged = post_from_entry(entry(link="https://g.example/posts/sparse?utm_campaign=spring#top"), GRADIENT, NOW)
    assert write_raw_post(vault, retagged) == "unchanged"
    assert read_raw_posts(vault)[0].url == "https://g.example/posts/sparse?utm_source=rss"


@pytest.mark.parametrize("lab_first", [False, True])
def test_another_feeds_entry_at_the_same_canonical_url_joins_the_stored_post(vault, lab_first):
    gradient, lab = post_from_entry(entry(), GRADIENT, NOW), post_from_entry(lab_copy(), LAB, NOW)
    assert gradient.id != lab.id and gradient.canonical_url == lab.canonical_url
    first, second = (lab, gradient) if lab_first else (gradient, lab)
    assert write_raw_post(vault, first, RawIndex(vault)) == "new"
    assert RawIndex(vault).stored_version(second).id == first.id and RawIndex(vault).stored(second.id) is None
    status, stored = store_raw_post(vault, second, RawIndex(vault))
    assert status == "changed" and stored.path == raw_post_relpath(first)
    [only] = read_raw_posts(vault)
    assert (only.id, only.body, only.merged_ids) == (first.id, first.body, [second.id])
    assert only.sources == first.sources + second.sources
    # Later runs, in either order and with fresh or shared indexes, find it again and change nothing.
    shared = RawIndex(vault)
    for post in (first, second, second, first):
        assert write_raw_post(vault, replace(post, fetched_at=NOW + timedelta(days=1)), shared) == "unchanged"
    for post in (second, first):
        assert write_raw_post(vault, post, RawIndex(vault)) == "unchanged"
    assert len(read_raw_posts(vault)) == 1


def test_merged_post_is_found_by_its_id_after_the_owner_moves_it(vault):
    write_raw_post(vault, post_from_entry(entry(), GRADIENT, NOW))
    write_raw_post(vault, post_from_entry(lab_copy(), LAB, NOW))
    moved = post_from_entry(entry(link="https://g.example/2024/sparse"), GRADIENT, NOW)
    assert write_raw_post(vault, moved, RawIndex(vault)) == "changed"
    assert write_raw_post(vault, post_from_entry(lab_copy(), LAB, NOW), RawIndex(vault)) == "unchanged"
    [only] = read_raw_posts(vault)
    assert only.canonical_url == "https://g.example/2024/sparse" and only.sources == ["gradient-notes", "lab-log"]


def test_one_feeds_two_entries_at_one_page_stay_two_posts(vault):
    write_raw_post(vault, post_from_entry(entry(), GRADIENT, NOW))
    follow_up = entry(guid="tag:g.example,2024:sparse-follow-up", title="Sparse attention: readers' questions",
                      content_html="<p>Questions.</p>")
    assert write_raw_post(vault, post_from_entry(follow_up, GRADIENT, NOW)) == "new"
    assert len(read_raw_posts(vault)) == 2
    # The page now holds two posts: it identifies neither, so a third feed's entry there is a post of its own.
    assert write_raw_post(vault, post_from_entry(lab_copy(), LAB, NOW)) == "new"
    assert len(read_raw_posts(vault)) == 3


def test_a_home_page_link_is_no_posts_address(vault):
    home = "https://g.example/?utm_source=rss"
    write_raw_post(vault, post_from_entry(entry(link=home), GRADIENT, NOW))
    assert write_raw_post(vault, post_from_entry(lab_copy(link=home), LAB, NOW)) == "new"
    assert len(read_raw_posts(vault)) == 2


def test_concurrent_sources_sharing_an_index_make_one_file(vault):
    from concurrent.futures import ThreadPoolExecutor

    index = RawIndex(vault)
    gradient, lab = post_from_entry(entry(), GRADIENT, NOW), post_from_entry(lab_copy(), LAB, NOW)
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda post: write_raw_post(vault, post, index), [gradient, lab] * 8))
    assert statuses.count("new") == 1 and statuses.count("changed") == 1
    [only] = read_raw_posts(vault)
    assert sorted(only.sources) == ["gradient-notes", "lab-log"]
