"""The address phones use to reach the server, for join links and QR codes.

``127.0.0.1`` works only on the server's own computer; a room joins over the Wi-Fi at the
server's address on that network. That address is given (``--url``, ``public_url``) or, on the
trainer's screen, taken from the address the trainer's browser used.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["origin", "site_url"]


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
