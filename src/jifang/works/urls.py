"""技防工程 works: design review, construction, acceptance, go-live and firms' filings (art_8, 10, 13-17)."""
from django.urls import path

from jifang.core.generic import ObjectCorrectView

from . import models as m
from . import views

app_name = "works"

STEPS = {
    "document": views.DocumentUpload,
    "review": views.ReviewAdd,
    "start": views.ConstructionStart,
    "worker": views.WorkerAdd,
    "complete": views.WorksComplete,
    "schedule": views.AcceptanceSchedule,
    "go_live": views.GoLive,
    "file": views.FilingSubmit,
}

urlpatterns = [
    path("", views.Board.as_view(), name="board"),
    path("list/", views.WorksList.as_view(), name="works_list"),
    path("add/", views.WorksEdit.as_view(), name="works_add"),
    path("<int:pk>/", views.WorksDetail.as_view(), name="works_detail"),
    path("<int:pk>/edit/", views.WorksEdit.as_view(), name="works_edit"),
    path("<int:pk>/correct/", ObjectCorrectView.as_view(model=m.Works), name="works_correct"),
    *[path(f"<int:pk>/{key.replace('_', '-')}/", view.as_view(), name=f"step_{key}") for key, view in STEPS.items()],
    path("acceptances/<int:pk>/attend/", views.AttendanceRecord.as_view(), name="step_attend"),
    path("acceptances/<int:pk>/result/", views.AcceptanceResultRecord.as_view(), name="step_result"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("filings/", views.FilingList.as_view(), name="filing_list"),
    path("filings/<int:pk>/receive/", views.FilingReceive.as_view(), name="step_receive"),
    path("notices/", views.NoticeList.as_view(), name="networkingnotice_list"),
    path("notices/<int:pk>/", views.NoticeDetail.as_view(), name="networkingnotice_detail"),
    path("notices/<int:pk>/confirm/", views.NoticeConfirm.as_view(), name="step_confirm"),
    path("systems/<int:pk>/notice/", views.NoticeIssue.as_view(), name="step_notice"),
]
