"""What the LLM said about a post, kept under the data dir so it is never asked twice.

The key is a hash of the post's content, the provider, the model and the prompt version: an
unchanged post is served from here even when its note was deleted, and a new model or prompt
asks again. One JSON file per key, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from graph.vault import atomic_write_text
from ingest.summarize.llm_prompt import PROMPT_VERSION

log = logging.getLogger(__name__)


def content_key(title: str, body: str, provider: str, model: str) -> str:
    payload = json.dumps([PROMPT_VERSION, provider, model, title, body], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class LLMCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            # A damaged entry costs one new request, not the ingest; say so and ask again.
            log.warning("LLM cache entry %s is unreadable (%s); the post will be summarised again", path, exc)
            return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True))

    def __contains__(self, key: str) -> bool:
        return self._path(key).exists()
