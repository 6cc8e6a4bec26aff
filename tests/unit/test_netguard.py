"""Which addresses count as public, in every spelling an address can take."""

from __future__ import annotations

import pytest

from ingest.netguard import AddressNotAllowed, check_url, is_on_private_network, is_public_address


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "100.64.0.1", "192.0.0.8", "198.18.0.1", "224.0.0.1", "255.255.255.255",
        "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b:1::a00:1",
        "2002:7f00:1::", "2002:a9fe:a9fe::1",
    ],
)
def test_non_public_addresses(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700::1111", "::ffff:93.184.215.14",
                                     "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"])
def test_public_addresses(address):
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    # decimal, octal, hex and shortened spellings of 127.0.0.1, and IPv6 forms carrying it
    ["http://2130706433/", "http://017700000001/", "http://0x7f.1/", "http://127.1/", "http://0177.0.0.1/",
     "http://[::ffff:7f00:1]/", "http://[::ffff:127.0.0.1]:8080/x", "http://localhost/"],
)
def test_every_spelling_of_loopback_is_refused(url):
    with pytest.raises(AddressNotAllowed, match="non-public address"):
        check_url(url, allow_private=False)


def test_a_name_is_judged_by_every_address_it_resolves_to():
    def resolver(host, port):
        return {"mixed.example": ["93.184.215.14", "10.0.0.7"], "public.example": ["93.184.215.14"]}[host]

    with pytest.raises(AddressNotAllowed, match="'mixed.example' resolves to non-public address 10.0.0.7"):
        check_url("https://mixed.example/feed", allow_private=False, resolver=resolver)
    check_url("https://public.example/feed", allow_private=False, resolver=resolver)
    check_url("https://mixed.example/feed", allow_private=True, resolver=resolver)


def test_unresolvable_host_is_refused_with_its_name():
    def resolver(host, port):
        raise OSError("Name or service not known")

    with pytest.raises(AddressNotAllowed, match="cannot resolve host 'nowhere.example'"):
        check_url("https://nowhere.example/", allow_private=False, resolver=resolver)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)", "//no-scheme"])
def test_only_http_urls_even_when_private_is_allowed(url):
    with pytest.raises(AddressNotAllowed, match="not an http"):
        check_url(url, allow_private=True)


def test_private_network_detection_never_guesses_private():
    assert is_on_private_network("http://127.0.0.1:8080/feed")
    assert is_on_private_network("http://[::1]/feed")
    assert not is_on_private_network("https://93.184.215.14/feed")

    def failing(host, port):
        raise OSError("no DNS")

    assert not is_on_private_network("https://feeds.example/", resolver=failing)
