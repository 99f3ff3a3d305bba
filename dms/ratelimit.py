"""A per-client-address hourly limit for public forms (applications, enquiries)."""

from django.conf import settings
from django.core.cache import cache
from ipware import get_client_ip


def client_address(request) -> str:
    """The client's address: from X-Forwarded-For only behind the configured number of trusted proxies."""
    if settings.PROXY_COUNT:
        ip, _routable = get_client_ip(request, proxy_count=settings.PROXY_COUNT)
        return ip or ""
    # No trusted proxy: X-Forwarded-For is whatever the client typed, so only the socket counts.
    return request.META.get("REMOTE_ADDR", "")


def hourly_limit_allows(request, *, scope: str, limit: int) -> bool:
    """Count one submission for this address in ``scope``; False once it is past ``limit`` this hour."""
    key = f"dms:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= limit
