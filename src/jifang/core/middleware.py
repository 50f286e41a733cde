"""Responses that must not outlive the session in a cache.

A page, an API answer or a document shown to a signed-in person holds what only their role and
area may see (a unit's secret drawings, an inspection record, a district's figures). A shared
proxy, the browser's disk cache or its back button must not hand it to the next person at the
same computer, so every such response says `Cache-Control: no-store` (and private). Static
files (served by WhiteNoise earlier in the chain) never pass through here."""
from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = (user is not None and user.is_authenticated) or request.path.startswith("/api/") \
            or response.get("Content-Disposition", "").startswith("attachment") \
            or response.get("Content-Type", "").startswith("application/pdf")
        if personal:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
