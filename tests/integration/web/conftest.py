"""One synced copy of the connected fixture wiki for the read-only web page tests (built once)."""

from __future__ import annotations

import pytest

from api.app import create_app
from tests.support.api_world import fixture_services
from tests.support.connected_wiki import FIXTURE


@pytest.fixture(scope="package")
def services(tmp_path_factory):
    with fixture_services(tmp_path_factory.mktemp("web-connected"), FIXTURE) as opened:
        yield opened


@pytest.fixture
def app(services):
    return create_app(services.settings, services=services)
