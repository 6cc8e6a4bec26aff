"""Fixtures for tests of the LLM paths: the loopback OpenAI-protocol stub, and the token counter (slow to build,
so once per module). Import them into a test module: `from tests.support.llm_fixtures import count_tokens, stub`."""

from __future__ import annotations

import pytest

from ingest.summarize.llm import default_token_count
from tests.support.openai_stub import OpenAIStub


@pytest.fixture(scope="module")
def count_tokens():
    return default_token_count()


@pytest.fixture
def stub():
    with OpenAIStub() as server:
        yield server
