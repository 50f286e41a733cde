"""Pages every app shares: the error pages (Chinese first, in the site's layout, with a way back)
and the pickers' search (core/pickers.py)."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import pickers

ERRORS = {
    403: (_("No access"), _("This page is not open to your account. Pages of the police office are for officers; "
                            "units and firms see their own records.")),
    404: (_("Page not found"), _("The page does not exist, or it lies outside what your account may see.")),
    500: (_("Something went wrong"), _("The platform could not complete this request. Nothing was changed; "
                                       "please try again, and tell the administrator if it happens again.")),
}


def _error(request, status: int, detail: str = ""):
    title, explanation = ERRORS[status]
    context = {"title": title, "explanation": explanation, "status": status, "detail": detail}
    return render(request, "error.html", context, status=status)


def forbidden(request, exception=None):
    # A refusal's own message is bilingual (ServiceError/NotPermitted), safe to show; Django's
    # bare PermissionDenied() has none.
    return _error(request, 403, str(exception or "") if getattr(exception, "args", None) else "")


def not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    """Rendered with as little as possible: the database or a template may be what failed."""
    try:
        return _error(request, 500)
    except Exception:  # noqa: BLE001 - the last resort must not fail in turn
        return HttpResponseServerError("<!DOCTYPE html><meta charset=utf-8><title>出错了</title>"
                                       "<h1>出错了 Something went wrong</h1><p><a href=\"/\">返回首页 Home</a></p>")


@login_required
def pick(request, kind: str):
    """The rows a picker offers for what was typed (an HTML fragment for htmx), in the user's scope."""
    picker = pickers.get(kind)
    if picker is None:
        raise Http404
    to_field = request.GET.get("by") or None
    if to_field not in (None, *getattr(picker.model, "natural_key_fields", ())):
        raise Http404
    rows, more = pickers.search(request.user, picker, request.GET.get("q", ""), to_field=to_field,
                                within=pickers.narrowed(picker, request.GET))
    return render(request, "core/pick_results.html", {"rows": rows, "more": more, "limit": pickers.PICK_LIMIT})
