"""The address `wikigraph demo` tells a person to open is one a browser on this machine can open."""

from __future__ import annotations

import pytest

from api.cli import browsable_url


@pytest.mark.parametrize(
    ("host", "url", "says_all_interfaces"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000", False),
        ("192.168.1.20", "http://192.168.1.20:8000", False),
        ("0.0.0.0", "http://127.0.0.1:8000", True),
        ("::", "http://[::1]:8000", True),
        ("::1", "http://[::1]:8000", False),
        ("localhost", "http://localhost:8000", False),
    ],
)
def test_browsable_url(host, url, says_all_interfaces) -> None:
    shown, note = browsable_url(host, 8000)
    assert shown == url
    assert ("all interfaces" in note) is says_all_interfaces
    assert "0.0.0.0" not in shown
