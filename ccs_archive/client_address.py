"""
The address of the client behind the request, for rate limits and the login lockout.

Behind a reverse proxy every request comes from the proxy, so the client's
own address is in ``X-Forwarded-For``. Anyone can send that header, though:
it is read only when the request comes from an address in
``TRUSTED_PROXIES``, and then from the right, skipping the trusted proxies
themselves, so that addresses a client wrote at the left are never taken.
(django-ipware decides whom to trust from the header's contents rather than
from the connecting address, which a client controls; hence this function.)
"""

import ipaddress

from django.conf import settings


def _is_trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request):
    """The client's IP address: the connecting one, or the one a trusted proxy forwarded."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([part for part in forwarded if part]):
        if not _is_trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # A proxy that forwards garbage: count it against the proxy.
    return remote


def ratelimit_key(group, request):
    """django-ratelimit's key: one counter per client address."""
    return client_address(request)
