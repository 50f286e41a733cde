from django.urls import path

from . import views

app_name = "regulation"
urlpatterns = [
    path("", views.LawView.as_view(), name="law"),
    path("packs/<str:pack_id>/", views.LawView.as_view(), name="pack"),
    path("scan/", views.ScanView.as_view(), name="scan"),
    path("findings/", views.FindingList.as_view(), name="finding_list"),
    path("findings/<int:pk>/", views.FindingDetail.as_view(), name="finding_detail"),
]
