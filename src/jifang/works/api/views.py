"""Works API: the same scoped reads, the same services and the same board as the pages.

POST /api/works/<id>/<step>/ takes one lifecycle step; a refusal answers 400 with the service's
bilingual message (and clause), a missing right 403, an object outside scope 404."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from jifang.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, as_api_error, correct_action
from jifang.core.errors import NotPermitted

from .. import filtersets, selectors, services
from .. import models as m
from . import serializers as s


def _run_step(view, request, input_class, call):
    """Validate the step's input, call its service, answer with the object re-read in scope."""
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        call(request.user, view.get_object(), data.validated_data)
    except (NotPermitted, DjangoValidationError) as exc:
        raise as_api_error(exc) from exc
    return Response(view.get_serializer(view.get_queryset().get(pk=view.kwargs["pk"])).data)


def _step(name: str, input_class, call):
    """A POST action /<id>/<name>/ running one step (DRF names the route after the function)."""
    def handler(self, request, pk=None):
        return _run_step(self, request, input_class, call)

    handler.__name__ = name
    routed = action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(handler)
    return extend_schema(request=input_class)(routed)  # the schema shows the step's own input


class WorksViewSet(ScopedModelViewSet):
    queryset = m.Works.objects.select_related(*selectors.WORKS_RELATED)
    serializer_class = s.WorksSerializer
    filterset_class = filtersets.WorksFilterSet
    create_service = services.works_register
    update_service = services.works_update
    update_kwarg = "works"

    @action(detail=False)
    def board(self, request):
        """What waits on the caller, by section, with due dates."""
        today = timezone.localdate()
        return Response([
            {"key": sec.key, "title": str(sec.title), "items": [
                {"type": line.obj._meta.model_name, "id": line.obj.pk, "label": str(line.obj),
                 "works": line.works.pk if line.works else None, "due_on": line.due_on, "overdue": line.overdue}
                for line in sec.lines]}
            for sec in selectors.board(request.user, today)
        ])

    @action(detail=True)
    def timeline(self, request, pk=None):
        return Response([{"on": e.on, "what": e.what, "detail": e.detail}
                         for e in selectors.timeline(self.get_object())])

    correct = correct_action(m.Works)
    review = _step("review", s.ReviewInput, lambda u, w, d: services.review_record(actor=u, works=w, **d))
    documents = _step("documents", s.DocumentInput, lambda u, w, d: services.document_upload(actor=u, works=w, **d))
    start = _step("start", s.StartInput, lambda u, w, d: services.construction_start(actor=u, works=w, **d))
    workers = _step("workers", s.WorkerInput, lambda u, w, d: services.worker_add(actor=u, works=w, **d))
    complete = _step("complete", s.CompleteInput, lambda u, w, d: services.works_complete(actor=u, works=w, **d))
    schedule = _step("schedule", s.ScheduleInput, lambda u, w, d: services.acceptance_schedule(actor=u, works=w, **d))
    go_live = _step("go_live", s.GoLiveInput, lambda u, w, d: services.works_go_live(actor=u, works=w, **d))
    file = _step("file", s.FilingInput, lambda u, w, d: services.filing_submit(actor=u, works=w, **d))


class AcceptanceViewSet(ScopedReadOnlyViewSet):
    queryset = m.Acceptance.objects.prefetch_related("items", "attendances")
    serializer_class = s.AcceptanceSerializer

    attend = _step("attend", s.AttendanceInput, lambda u, a, d: services.attendance_record(actor=u, acceptance=a, **d))
    result = _step("result", s.ResultInput, lambda u, a, d: services.acceptance_result_record(actor=u, acceptance=a, **d))


class FilingViewSet(ScopedReadOnlyViewSet):
    queryset = m.Filing.objects.all()
    serializer_class = s.FilingSerializer
    filterset_class = filtersets.FilingFilterSet

    receive = _step("receive", s.EmptyInput, lambda u, f, d: services.filing_receive(actor=u, filing=f))


class NoticeViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """POST /api/networking-notices/ issues a notice (police); /<id>/confirm/ confirms the connection."""

    queryset = m.NetworkingNotice.objects.all()
    serializer_class = s.NoticeSerializer
    filterset_class = filtersets.NoticeFilterSet

    def perform_create(self, serializer):
        try:
            serializer.instance = services.notice_issue(actor=self.request.user, **serializer.validated_data)
        except (NotPermitted, DjangoValidationError) as exc:
            raise as_api_error(exc) from exc

    confirm = _step("confirm", s.ConfirmInput, lambda u, n, d: services.notice_confirm(actor=u, notice=n, **d))
