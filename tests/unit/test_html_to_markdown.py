"""HTML from feeds becomes clean Markdown: nothing active or invisible survives; text, links and images do."""

from __future__ import annotations

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
