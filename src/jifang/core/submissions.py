"""One-time submission tokens: a create form is answered once.

Every create form carries a hidden random token (`add_token`, done by ServiceModelForm on a new row
and by the plain step forms). The view runs its service call through `once(request, call)`: the first
POST with a token claims it (a row in core.Submission, unique per user and token, committed before
the call so that a concurrent twin sees it), makes the record and stores the record's URL on the
claim. A repeated POST with the same token (a double click, a browser resend, 20 identical requests)
does not call the service: it gets a `Replay` that redirects to the first result, or, while the first
is still running, waits for it a little. A refusal releases the token, so the corrected form can be
sent again. A POST without a token (an API-style client) is not deduplicated; the API has its own
idempotency through natural keys.
"""
import secrets
import time
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import ServiceError
from .models import Submission

FIELD = "submission_token"
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05


def add_token(form) -> None:
    """Give `form` its hidden one-time token (a new one each time the form is shown)."""
    form.fields[FIELD] = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64,
                                         initial=secrets.token_urlsafe(24))


class TokenFormMixin:
    """For the base forms: the token is the view's (once() reads it from the POST), never data for
    the service, so it leaves cleaned_data (views pass **form.cleaned_data to services)."""

    def clean(self):
        data = super().clean()
        self.cleaned_data.pop(FIELD, None)
        return data


@dataclass(frozen=True)
class Replay:
    """The answer to a repeated POST: where the first one's record is."""

    url: str

    def get_absolute_url(self) -> str:
        return self.url


def _claim(user, token: str) -> Submission | None:
    """The claim row, or None when another POST holds the token already."""
    try:
        with transaction.atomic():
            return Submission.objects.create(user=user, token=token)
    except IntegrityError:
        return None


def _first_result(user, token: str) -> Replay:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        url = Submission.objects.filter(user=user, token=token).values_list("result_url", flat=True).first()
        if url:
            return Replay(url)
        if url is None or time.monotonic() > deadline:
            # Released by a refusal (None) or still running: nothing to show yet.
            raise ServiceError("该表单已提交，正在处理；请稍候刷新页面查看结果",
                               "this form was already sent and is being processed; reload the page shortly")
        time.sleep(POLL_SECONDS)


def once(request, call):
    """`call()` (a service call returning the new record) at most once per form token; a repeat
    gets the first result as a Replay (with get_absolute_url)."""
    token = (request.POST.get(FIELD) or "").strip()[:64]
    if not token:
        return call()
    claim = _claim(request.user, token)
    if claim is None:
        replay = _first_result(request.user, token)
        messages.info(request, _("This form was already sent; here is what it created."))
        return replay
    try:
        obj = call()
    except BaseException:
        Submission.objects.filter(pk=claim.pk).delete()
        raise
    url = obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else ""
    Submission.objects.filter(pk=claim.pk).update(result_url=url or "/")
    return obj
