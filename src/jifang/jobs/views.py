"""The administrators' page of background work: the platform's calendar, failed tasks with their
error, recent runs; a failed task can be tried again."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jifang.core.actions import REFUSED, attempt
from jifang.core.roles import Role

from . import selectors, services
from .models import QueuedTask


def _admin(request) -> None:
    if request.user.role != Role.ADMIN:
        raise PermissionDenied


def _rows(tasks):
    return [{"task": t, "title": selectors.title(t)} for t in tasks]


class JobsView(LoginRequiredMixin, View):
    def get(self, request):
        _admin(request)
        return render(request, "jobs/jobs.html", {
            "title": _("Background jobs"),
            "scheduled": selectors.scheduled(timezone.now()),
            "failed": _rows(selectors.failed()),
            "retrying": _rows(selectors.waiting_retry()),
            "recent": _rows(selectors.recent()),
        })


class RetryView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        _admin(request)
        task = QueuedTask.objects.filter(pk=pk).first()
        if task is None:
            raise Http404
        if attempt(request, lambda: services.task_retry(actor=request.user, task=task)) is not REFUSED:
            messages.success(request, _("The task is queued again."))
        return redirect("jobs:list")
