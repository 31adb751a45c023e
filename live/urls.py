"""The address phones use to reach the server, for join links and QR codes.

``127.0.0.1`` works only on the server's own computer; a room joins over the Wi-Fi at the
server's address on that network. That address is given (``--public-url``), else detected
(:func:`lan_address`: this computer's address on the network of its default route), else, on
the trainer's screen of a server that listens on loopback only, taken from the address the
trainer's browser used.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = [
    "PROBE_ADDRESS",
    "WILDCARD_HOSTS",
    "address_site_url",
    "lan_address",
    "lan_site_url",
    "origin",
    "site_url",
]

#: An address of TEST-NET-1 (RFC 5737), never routed on the internet. "Connecting" a UDP
#: socket to it sends nothing: the system only picks the interface of its default route, whose
#: address the socket then has. No packet leaves the computer, no DNS, no internet needed.
PROBE_ADDRESS = ("192.0.2.1", 9)
#: Hosts that mean "every interface": the room reaches the server at its LAN address.
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def lan_address() -> str | None:
    """This computer's IPv4 address on the network of its default route (the room's Wi-Fi),
    or None when there is none (no network, or only loopback)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(PROBE_ADDRESS)
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    parsed = ipaddress.ip_address(address)
    return None if parsed.is_loopback or parsed.is_unspecified else address


def address_site_url(address: str, port: int, base_path: str = "/") -> str:
    """``http://ADDRESS:PORT/base/`` (an IPv6 address in brackets), checked by :func:`site_url`."""
    host = f"[{address}]" if ":" in address else address
    return site_url(f"http://{host}:{port}{base_path}")


def lan_site_url(port: int, base_path: str = "/") -> str | None:
    """The site as phones on this computer's network reach it (:func:`lan_address`), or None
    when this computer has no network address."""
    found = lan_address()
    return address_site_url(found, port, base_path) if found else None


def site_url(url: str) -> str:
    """``url`` checked and normalised as the base of the site: ``http(s)://host[:port]/path/``.

    Raises :class:`ValueError` for anything else (no scheme, no host, a bad port, a login,
    a query or a fragment), so a typo is reported before a room scans a broken QR code.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) address with a host: {url!r}")
    if parts.username is not None or parts.query or parts.fragment:
        raise ValueError(f"a site address has no login, query or fragment: {url!r}")
    _ = parts.port  # raises ValueError for a port that is not a number in range
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def origin(url: str) -> str:
    """The scheme, host and port of ``url`` (checked by :func:`site_url`), without a path."""
    parts = urlsplit(site_url(url))
    return f"{parts.scheme}://{parts.netloc}"
