"""The visitor's address behind reverse proxies, for django-axes' lockouts.

Behind Caddy every request comes from Caddy's address: locking "user name + address" would then
lock a user name for everyone. Each proxy appends the address it received the request from to
X-Forwarded-For (Caddy replaces a client's own copy), so behind PROXY_COUNT proxies the
visitor's address is the PROXY_COUNT-th entry from the right. The header is believed only when
the request comes from a trusted proxy's address (TRUSTED_PROXIES), since anyone can send it.
"""

import ipaddress

from django.conf import settings


def _networks():
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def is_trusted(address):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks())


def client_ip(request):
    """AXES_CLIENT_IP_CALLABLE: the address that sent the request to the first trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if not count or not is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote  # not what the proxies in front send: do not guess
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
