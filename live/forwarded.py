"""Who is asking, behind a reverse proxy or not: the peer, the client's address and scheme.

A request's peer is the machine whose TCP connection it came in on. Only a configured proxy
(``trusted_proxies`` of ``igm serve``, put in the tornado settings under
:data:`TRUSTED_PROXIES_SETTING`) may say who the client is (``X-Forwarded-For``) and whether it
used HTTPS (``X-Forwarded-Proto``); the same headers from anyone else are ignored, so a
direct client cannot pass for another address or for a secure connection.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "TRUSTED_PROXIES_SETTING",
    "Networks",
    "client_address",
    "is_https",
    "networks",
    "peer_address",
    "trusted_peer",
]

#: The tornado application setting that holds the trusted proxies (see :func:`networks`).
TRUSTED_PROXIES_SETTING = "igm_trusted_proxies"

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def networks(addresses: Iterable[str]) -> Networks:
    """Addresses and networks (``10.0.0.0/8``) as networks; ``ValueError`` for a wrong one."""
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses)


def peer_address(request: Any) -> str:
    """The address of the connection's other end (never taken from a header)."""
    address = getattr(getattr(request, "connection", None), "context", None)
    address = getattr(address, "address", None)
    if isinstance(address, tuple) and address:
        return str(address[0])
    return str(request.remote_ip or "")


def _in(address: str, trusted: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in trusted)


def _trusted(settings: Mapping[str, Any]) -> Networks:
    value = settings.get(TRUSTED_PROXIES_SETTING, ())
    return tuple(value)


def trusted_peer(request: Any, settings: Mapping[str, Any]) -> bool:
    """Whether the request came in from a configured proxy."""
    return _in(peer_address(request), _trusted(settings))


def client_address(request: Any, settings: Mapping[str, Any]) -> str:
    """The client's address: the peer, or, from a trusted proxy, the last address its
    ``X-Forwarded-For`` names (the one the proxy itself added)."""
    peer = peer_address(request)
    if _in(peer, _trusted(settings)):
        forwarded = str(request.headers.get("X-Forwarded-For", ""))
        last = forwarded.split(",")[-1].strip()
        if last:
            return str(last)
    return peer


def is_https(request: Any, settings: Mapping[str, Any]) -> bool:
    """Whether the browser used HTTPS: this server's own TLS, or a trusted proxy's
    ``X-Forwarded-Proto: https``."""
    if str(request.protocol) == "https":
        return True
    if not trusted_peer(request, settings):
        return False
    proto = str(request.headers.get("X-Forwarded-Proto", "")).split(",")[0].strip().lower()
    return proto == "https"
