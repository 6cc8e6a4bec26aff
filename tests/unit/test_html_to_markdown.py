"""HTML from feeds becomes clean Markdown: nothing active or invisible survives; text, links and images do."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from ingest.html import html_to_markdown

PAGE = """
<div class="post">
  <script>document.write('<p>injected</p>')</script>
  <style>.post { color: red }</style>
  <noscript>Enable scripts</noscript>
  <iframe src="https://video.example/embed/1"></iframe>
  <h2>Results</h2>
  <p>The <strong>sparse</strong> model <em>wins</em> on <a href="/bench">our benchmark</a>.</p>
  <p><img src="figures/plot.png" alt="accuracy plot"></p>
  <img src="https://tracker.example/open.gif" width="1" height="1" alt="">
  <img src="https://tracker.example/beacon.png" style="width:1px;height:1px">
  <p style="display:none">hidden promo text</p>
  <div aria-hidden="true">decorative</div>
  <form action="/subscribe"><input name="email"><button>Subscribe now</button></form>
  <svg width="16" height="16"><text>icon text</text></svg>
  <!-- an editor's comment -->
  <p><a href="javascript:alert(1)">click me</a> and <a href="mailto:editor@example.org">write to us</a></p>
  <ul><li>first</li><li>second</li></ul>
  <pre><code>loss = ce(logits, labels)</code></pre>
</div>
"""


def test_cleaning_and_conversion():
    markdown = html_to_markdown(PAGE, base_url="https://blog.example/2024/post")
    for gone in ("injected", "color: red", "Enable scripts", "video.example", "tracker.example", "hidden promo",
                 "decorative", "Subscribe now", "icon text", "editor's comment", "javascript:", "<", ">"):
        assert gone not in markdown, gone
    assert "## Results" in markdown
    assert "The **sparse** model *wins* on [our benchmark](https://blog.example/bench)." in markdown
    assert "![accuracy plot](https://blog.example/2024/figures/plot.png)" in markdown
    assert "click me and [write to us](mailto:editor@example.org)" in markdown
    assert "- first\n- second" in markdown
    assert "```\nloss = ce(logits, labels)\n```" in markdown


def test_relative_urls_stay_relative_without_a_base():
    assert html_to_markdown('<a href="/x">x</a>') == "[x](/x)"


def test_lazy_images_and_srcset():
    markdown = html_to_markdown(
        '<img data-src="https://cdn.example/a.png" alt="a">'
        '<img srcset="https://cdn.example/b.png 1x, b2.png 2x" alt="b">'
    )
    assert "![a](https://cdn.example/a.png)" in markdown
    assert "![b](https://cdn.example/b.png)" in markdown


def test_linked_image_keeps_both_targets():
    html = '<a href="https://cdn.example/full.png"><img src="https://cdn.example/small.png" alt=""></a>'
    markdown = html_to_markdown(html)
    assert markdown == "[![](https://cdn.example/small.png)](https://cdn.example/full.png)"


def test_whitespace_is_tidy():
    markdown = html_to_markdown("<p>one</p>\n\n\n\n<p>two&nbsp;words</p><br><br><br><p>three</p>")
    assert "\n\n\n" not in markdown
    assert "two words" in markdown
    assert all(line == line.rstrip() for line in markdown.splitlines())
    assert markdown.startswith("one") and markdown.endswith("three")


def test_empty_input():
    assert html_to_markdown("") == ""
    assert html_to_markdown("   \n") == ""
    assert html_to_markdown("<script>x()</script>") == ""


def test_plain_text_passes_through():
    assert html_to_markdown("Just words, no tags.") == "Just words, no tags."


# --- widgets, trackers, embeds ------------------------------------------------------------------------------------

SUBSCRIBE_WIDGET = """<p>Before the widget.</p>
<div class="subscription-widget-wrap-editor"><div class="subscription-widget show-subscribe">
<div class="preamble"><p class="cta-caption">Thanks for reading Gradient Notes! Subscribe for free.</p></div>
<form class="subscription-widget-subscribe"><input type="email" class="email-input" name="email">
<input type="submit" class="button primary" value="Subscribe"></form></div></div>
<p class="button-wrapper" data-attrs='{"text":"Share"}'><a class="button primary" href="https://g.example/p?action=share"><span>Share</span></a></p>
<p><a class="button primary" href="https://g.example/subscribe">Subscribe now</a></p>
<div class="sharedaddy"><h3>Share this:</h3><a href="https://twitter.example/share">X</a></div>
<p>After the widget.</p>"""


def test_subscribe_and_share_widgets_are_removed():
    markdown = html_to_markdown(SUBSCRIBE_WIDGET)
    assert markdown == "Before the widget.\n\nAfter the widget."


def test_a_call_to_action_word_inside_prose_stays():
    markdown = html_to_markdown("<p>You can <a href='https://g.example/subscribe'>subscribe</a> by email.</p>"
                                "<ul><li>Share</li><li>Fork</li></ul>")
    assert "You can [subscribe](https://g.example/subscribe) by email." in markdown
    assert "- Share\n- Fork" in markdown


@pytest.mark.parametrize(
    "src",
    ["https://pixel.wp.com/g.gif?v=1", "https://stats.wordpress.com/b.gif", "https://feeds.feedburner.com/~r/x/~4/abc",
     "https://eotrx.substackcdn.com/open?token=abc", "https://us1.list-manage.com/track/open.php?u=1",
     "https://medium.com/_/stat?event=post.clientViewed", "https://www.google-analytics.com/collect?v=1"],
)
def test_tracker_images_are_removed_whatever_their_size(src):
    assert html_to_markdown(f'<p>Text.</p><img src="{src}" width="600" alt="x">') == "Text."


def test_ordinary_images_from_similar_hosts_stay():
    markdown = html_to_markdown('<img src="https://substackcdn.com/image/fetch/w_1456/pelicans.jpg" alt="pelicans">')
    assert markdown == "![pelicans](https://substackcdn.com/image/fetch/w_1456/pelicans.jpg)"


@pytest.mark.parametrize(
    ("html", "link"),
    [
        ('<div class="youtube-wrap" id="youtube2-mpgWH9KulUU"><div class="youtube-inner"></div></div>',
         "https://www.youtube.com/watch?v=mpgWH9KulUU"),
        ('<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=3"></iframe>',
         "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ('<iframe src="https://player.vimeo.com/video/76979871"></iframe>', "https://vimeo.com/76979871"),
    ],
)
def test_video_players_become_links(html, link):
    assert html_to_markdown(html) == f"[Video: {link}]({link})"


# --- nothing that could run --------------------------------------------------------------------------------------

def html_tokens(markdown: str) -> list[str]:
    """Raw HTML a CommonMark renderer would pass through, anywhere in the document."""
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "html_block":
            found.append(token.content)
        found.extend(child.content for child in token.children or [] if child.type == "html_inline")
    return found


@pytest.mark.parametrize(
    "html",
    [
        "<p>Write &lt;script&gt;alert(1)&lt;/script&gt; to test.</p>",
        "<p>An &lt;img src=x onerror=alert(1)&gt; payload and &lt;!-- a comment --&gt;.</p>",
        "<p>Autolink &lt;javascript:alert(1)&gt; in text.</p>",
        '<p><img src="/a.png" alt="&lt;span onclick=x&gt;] [b"></p>',
        '<p><img src="/a.png" alt="two\n\nparagraphs &lt;b&gt;" title="line\n\n&lt;i&gt;break"></p>',
        "<blockquote><p>&lt;iframe src=//evil.example&gt;&lt;/iframe&gt;</p></blockquote>",
    ],
)
def test_text_that_looks_like_html_is_escaped(html):
    markdown = html_to_markdown(html)
    assert html_tokens(markdown) == []
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in rendered and "<img src=x" not in rendered and "<iframe" not in rendered


def test_escaping_keeps_the_words_readable():
    assert html_to_markdown("<p>if a &lt; b and &lt;tag&gt;</p>") == "if a < b and \\<tag>"
    assert "`<enter>`" in html_to_markdown("<p>Press <code>&lt;enter&gt;</code>.</p>")


def test_code_that_shows_a_fence_gets_a_longer_fence():
    html = "<pre><code>Example:\n```py\nassert 1 + 2 == 3\n```\n&lt;div&gt;</code></pre><p>&lt;b&gt;after</p>"
    markdown = html_to_markdown(html)
    assert markdown.startswith("````\nExample:\n```py\n") and "\n````\n\n\\<b>after" in markdown
    assert html_tokens(markdown) == []
    tokens = MarkdownIt("commonmark").parse(markdown)
    assert [token.type for token in tokens if token.type == "fence"] == ["fence"]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
                                  "vbscript:x", "data:text/html,<script>x</script>", "file:///etc/passwd",
                                  "tel:+100", "  javascript:alert(1)"])
def test_only_safe_link_schemes_survive(href):
    markdown = html_to_markdown(f'<p><a href="{href}">click</a> <img src="{href}" alt="i"></p>')
    assert markdown == "click"


def _link_targets(markdown: str) -> list[str]:
    targets = []
    for token in MarkdownIt("commonmark").parse(markdown):
        for child in token.children or []:
            if child.type == "link_open":
                targets.append(str(child.attrs["href"]))
    return targets


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://ok.example/">x](javascript:alert(1))</a>',
        '<a href="https://ok.example/">x\\](javascript:alert(1))</a>',
        "<p>[click](javascript:alert(1)) and [ref]: javascript:alert(2)</p>",
        "<p>\\[x\\](javascript:alert(1))</p>",
    ],
)
def test_text_cannot_forge_a_link(html):
    markdown = html_to_markdown(html)
    assert all(not target.startswith("javascript") for target in _link_targets(markdown + "\n\n[ref]"))
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "javascript:alert(1)" in rendered  # the words are kept, as text
    assert 'href="javascript' not in rendered


def test_escaped_brackets_and_backslashes_read_as_written():
    markdown = html_to_markdown("<p>See [1] and a\\b \\* C:\\path</p>")
    assert MarkdownIt("commonmark").render(markdown) == "<p>See [1] and a\\b \\* C:\\path</p>\n"


@pytest.mark.parametrize("depth", [150, 500, 20_000])
def test_deeply_nested_html_converts_and_keeps_its_text(depth):
    html = "<div>" * depth + '<p>deep <a href="https://x.example/">words</a></p><script>alert(1)</script>' + "</div>" * depth
    markdown = html_to_markdown("<p>Intro</p>" + html + "<p>Outro</p>")
    assert markdown.split("\n\n") == ["Intro", "deep words", "Outro"]


def test_nesting_within_the_limit_keeps_its_structure():
    html = "<div>" * 80 + '<p>deep <a href="https://x.example/">words</a></p>' + "</div>" * 80
    assert html_to_markdown(html) == "deep [words](https://x.example/)"
