"""Feeds of our own generated text, for tests that need many posts (scheduling, crash recovery, benchmarks).

The text is deterministic (seeded), varied enough for the summarizer and the embedder to tell posts apart, and
the RSS bytes depend only on the posts, so a loopback server gives them a stable ETag.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from xml.etree import ElementTree as ET

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ET.register_namespace("content", CONTENT_NS)

SUBJECTS = ["The retrieval layer", "A sparse mixture of experts", "Our evaluation harness", "The reward model",
            "A distilled student model", "The tokenizer", "Speculative decoding", "The preference dataset",
            "Long-context attention", "The safety classifier", "A quantized checkpoint", "The data pipeline"]
VERBS = ["reduces", "doubles", "stabilises", "exposes", "hides", "reshapes", "explains", "undermines",
         "accelerates", "complicates"]
OBJECTS = ["latency on small GPUs", "variance between seeds", "the cost of annotation", "errors on rare languages",
           "memory use during training", "the gap to closed models", "calibration under shift",
           "throughput at batch size one", "the benchmark's contamination", "agreement between raters"]
CODAS = ["in our measurements", "when the context grows", "for most of the tasks we tried", "at a modest cost",
         "which surprised us", "although the effect is small", "on every hardware target", "after a week of tuning"]


@dataclass(frozen=True)
class GeneratedPost:
    guid: str
    title: str
    link: str
    published: datetime
    html: str


def generated_posts(count: int, seed: int = 7, site: str = "https://generated.example", paragraphs: int = 4,
                    start: datetime = datetime(2025, 1, 6, 9, tzinfo=UTC)) -> list[GeneratedPost]:
    rng = random.Random(seed)
    posts = []
    for number in range(count):
        subject, obj = rng.choice(SUBJECTS), rng.choice(OBJECTS)
        title = f"{subject} {rng.choice(VERBS)} {obj} (note {number + 1})"
        body = "".join(f"<p>{escape(_paragraph(rng))}</p>" for _ in range(paragraphs))
        slug = f"note-{seed}-{number + 1}"
        posts.append(GeneratedPost(f"{site}/p/{slug}", title, f"{site}/p/{slug}",
                                   start + timedelta(days=number), body))
    return posts


def _paragraph(rng: random.Random) -> str:
    return " ".join(
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CODAS)}."
        for _ in range(rng.randint(3, 6))
    )


def rss(title: str, posts: list[GeneratedPost], site: str = "https://generated.example") -> bytes:
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    for tag, text in (("title", title), ("link", site), ("description", f"{title}, generated for tests")):
        ET.SubElement(channel, tag).text = text
    for post in sorted(posts, key=lambda p: p.published, reverse=True):
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = post.title
        ET.SubElement(item, "link").text = post.link
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = post.guid
        ET.SubElement(item, "pubDate").text = format_datetime(post.published, usegmt=True)
        ET.SubElement(item, f"{{{CONTENT_NS}}}encoded").text = post.html
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
