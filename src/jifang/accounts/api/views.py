"""/api/divisions/ and /api/me/, and the "my API token" page of the signed-in user."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from rest_framework import generics, viewsets
from rest_framework.authtoken.models import Token

from jifang.core.errors import ServiceError

from .. import services
from ..models import Division
from . import serializers as s


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Kunming and its 14 districts: reference data every signed-in caller may read (15 rows, one page)."""

    queryset = Division.objects.order_by("code")
    serializer_class = s.DivisionSerializer
    pagination_class = None


class MeView(generics.RetrieveAPIView):
    serializer_class = s.MeSerializer

    def get_object(self):
        return self.request.user


@login_required
@require_http_methods(["GET", "POST"])
def token_page(request):
    """Issue (and so rotate) or revoke the signed-in user's token. The key is shown once, right after
    issue; afterwards only the date it was issued, so a shoulder-surfer cannot read it off a later visit.
    A POST with `action=revoke` revokes the token and issues none."""
    issued = None
    revoked = False
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                services.token_revoke(actor=request.user, user=request.user)
                revoked = True
            except ServiceError as exc:  # no token (a second click, another tab): say so, change nothing
                messages.error(request, " ".join(exc.messages))
        else:
            issued = services.token_issue(actor=request.user, user=request.user)
    current = Token.objects.filter(user=request.user).first()
    return render(request, "core/api_token.html", {"issued": issued, "current": current, "revoked": revoked})
