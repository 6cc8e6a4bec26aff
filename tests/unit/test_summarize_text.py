"""Segmenting real-looking posts: what a summary may quote and what it must never see."""

from __future__ import annotations

import pytest

from ingest.summarize.document import Document
from ingest.summarize.prose import ITEM, PARAGRAPH, QUOTE, prose_blocks
from ingest.summarize.text import key_phrases, markdown_to_paragraphs, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Models such as e.g. the U.S. lab's system work well. A second sentence follows! Does a third?",
            ["Models such as e.g. the U.S. lab's system work well.", "A second sentence follows!", "Does a third?"],
        ),
        ("Dr. Rivera and J. Okafor wrote it. They measured 3.5 points.", ["Dr. Rivera and J. Okafor wrote it.", "They measured 3.5 points."]),
        ("See Fig. 3 for the curve. The answer is no. Nobody disagreed.", ["See Fig. 3 for the curve.", "The answer is no.", "Nobody disagreed."]),
        ("It shipped in the U.S. The rollout was slow.", ["It shipped in the U.S.", "The rollout was slow."]),
        ('She said "stop here." Then the team left.', ['She said "stop here."', "Then the team left."]),
        ("Version v0.13 costs $1.2M per run (roughly). Cheap.", ["Version v0.13 costs $1.2M per run (roughly).", "Cheap."]),
        ("Why now? because the data arrived.", ["Why now? because the data arrived."]),
        ("It worked, i.e. the loss fell. Also, compute fell too…  Then it stopped.", ["It worked, i.e. the loss fell.", "Also, compute fell too…", "Then it stopped."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


POST = """
Intro paragraph about sparse routers and why they matter for serving costs.

## Method

We route tokens with a learned gate.[^1] See the [paper](https://example.org/p) for details.

```python
print("This code sentence must never be quoted.")
```

    indented_code = "Neither must this indented code line be quoted."

| model | score |
|-------|-------|
| Router A scored well on the table | 3 |

![A chart](https://example.org/chart.png)

Figure 2: loss curves for both routers

> A quoted critic says routers are overrated and always will be.

- First point in a list about load balancing
- Second point with [a link](https://example.org/x) inside it

::: {.embedded-post-wrap attrs="{}"}
An embedded post title that is not our prose at all
:::

<div class="subscribe-widget">Subscribe now for more</div>

Thanks for reading! Subscribe for free to receive new posts and support my work.

[00:01:02] **Dana Smith:** Transcript speech that should keep its words but lose the label.

*This interview is also on video and on every podcast player you like.*

[^1]: A footnote aside that the summary must not quote.
"""


def test_prose_blocks_keep_prose_and_drop_everything_else() -> None:
    blocks = prose_blocks(POST)
    text = " ".join(block.text for block in blocks)
    for never in ("code sentence", "indented code", "Router A", "loss curves", "embedded post title", "Subscribe", "footnote aside", "00:01:02", "Dana Smith"):
        assert never not in text, never
    assert "We route tokens with a learned gate. See the paper for details." in text
    assert "Transcript speech that should keep its words but lose the label." in text
    kinds = {block.text[:20]: block.kind for block in blocks}
    assert kinds["A quoted critic says"] == QUOTE
    assert kinds["First point in a lis"] == ITEM
    assert kinds["Intro paragraph abou"] == PARAGRAPH
    sections = {block.text[:10]: block.section for block in blocks}
    assert sections["Intro para"] == "" and sections["We route t"] == "Method"
    asides = [block for block in blocks if block.aside]
    assert [block.text[:19] for block in asides] == ["This interview is a"]


def test_substack_footnote_markers_and_backlinks_are_dropped() -> None:
    markdown = (
        "Routers collapse early[1](https://x.substack.com/p/post#footnote-1) in training.\n\n"
        "[1](https://x.substack.com/p/post#footnote-anchor-1)\n\n"
        "The footnote body is an aside we never quote.\n\n"
        "Back to the main argument about routers."
    )
    texts = [block.text for block in prose_blocks(markdown)]
    assert texts == ["Routers collapse early in training.", "Back to the main argument about routers."]


def test_an_unclosed_fence_is_not_an_embed() -> None:
    markdown = "::: note\n\nEverything after a stray fence line is still the author's prose.\n\nAnd so is this paragraph."
    assert [b.text for b in prose_blocks(markdown)] == [
        "Everything after a stray fence line is still the author's prose.",
        "And so is this paragraph.",
    ]


def test_short_paragraphs_naming_a_podcast_app_are_kept_unless_they_promote() -> None:
    markdown = "Spotify's recommender learns from skips and replays.\n\nListen to this episode on Spotify or Apple Podcasts."
    assert [b.text for b in prose_blocks(markdown)] == ["Spotify's recommender learns from skips and replays."]


def test_markdown_to_paragraphs_skips_code_and_short_fragments() -> None:
    paragraphs = markdown_to_paragraphs("Too short.\n\n```\nlong code line that has many words in it\n```\n\nA real paragraph with words.")
    assert paragraphs == ["A real paragraph with words."]


def test_sentence_flags() -> None:
    document = Document.parse(
        "t",
        "This means the router wins. In this post I compare routers on real traffic.\n\n"
        "Sparse models route tokens and also we measured costs on and 's cluster.\n\n"
        "- A flagship sparse model, trained via four stages\n- The router is a linear layer\n\n"
        "Is routing solved? Nobody knows yet.",
    )
    by_text = {s.text: s for s in document.sentences}
    assert by_text["This means the router wins."].depends_on_previous
    assert not by_text["In this post I compare routers on real traffic."].depends_on_previous
    assert by_text["Sparse models route tokens and also we measured costs on and 's cluster."].damaged
    assert by_text["A flagship sparse model, trained via four stages"].is_fragment
    assert not by_text["The router is a linear layer"].is_fragment
    question = by_text["Is routing solved?"]
    assert question.is_question and document.following(question).text == "Nobody knows yet."
    assert document.following(by_text["Nobody knows yet."]) is None


def test_key_phrases_put_bigrams_first() -> None:
    phrases = key_phrases("The reward model scores outputs; a reward model can be gamed.")
    assert phrases[0] == "reward model"
    assert "reward" in phrases and "the reward" not in phrases
