"""Behind a reverse proxy: the client's address and scheme, believed only from a trusted proxy.

Without this, every request behind nginx or Caddy would seem to come from the proxy itself (so
one person's failed sign-ins would slow everyone down); with X-Forwarded-For believed from
anyone, a guesser could claim a new address with every try. So the header is honoured only
when the request comes from an address named in PRACTICE_TRUSTED_PROXIES.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from werkzeug.middleware.proxy_fix import ProxyFix

Network = IPv4Network | IPv6Network


def parse_proxies(raw: str) -> tuple[Network, ...]:
    """Addresses or networks separated by commas; ValueError names a bad one."""
    networks = []
    for part in filter(None, (piece.strip() for piece in raw.split(","))):
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise ValueError(part) from None
    return tuple(networks)


class TrustedProxyFix:
    """Apply werkzeug's ProxyFix (one proxy hop) only to requests from a trusted proxy."""

    def __init__(self, app, trusted: Iterable[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)

    def __call__(self, environ, start_response):
        if self._from_trusted(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)

    def _from_trusted(self, remote: str) -> bool:
        try:
            address = ip_address(remote)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)
