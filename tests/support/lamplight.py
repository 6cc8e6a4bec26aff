"""A wiki whose one source is our Lamplight fixture feed, served from a loopback HTTP server, and the settings that
point wikigraph at it (offline embedding model, data directory beside the wiki)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from api.settings import Settings
from tests.conftest import embed_config
from tests.support.feed_server import FeedServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "e2e" / "lamplight.rss.xml"


@contextmanager
def lamplight_workspace(root: Path) -> Iterator[tuple[Settings, FeedServer]]:
    with FeedServer() as server:
        feed_url = server.add("/lamplight.xml", FIXTURE.read_bytes())
        wiki = root / "wiki_content"
        wiki.mkdir()
        sources = {"sources": [{"name": "Lamplight Review", "feed_url": feed_url, "tier": 2,
                                "domains": ["ml-systems"], "allow_private": True}]}
        (wiki / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
        yield Settings(wiki_dir=wiki, data_dir=root / "data", embed_model_path=embed_config().model_path), server
