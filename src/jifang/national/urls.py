from django.urls import path

from . import views

app_name = "national"

urlpatterns = [
    path("filings/", views.FilingList.as_view(), name="systemfiling_list"),
    path("filings/add/", views.FilingAdd.as_view(), name="systemfiling_add"),
    path("filings/<int:pk>/", views.FilingDetail.as_view(), name="systemfiling_detail"),
    path("filings/<int:pk>/receive/", views.FilingReceive.as_view(), name="filing_receive"),
    path("filings/<int:pk>/return/", views.FilingReturn.as_view(), name="filing_return"),
    path("filings/<int:pk>/pdf/", views.filing_pdf, name="filing_pdf"),
    path("filings/verify/", views.filing_verify, name="filing_verify_form"),
    path("filings/verify/<str:code>/", views.filing_verify, name="filing_verify"),
    path("reports/", views.ReportList.as_view(), name="publicreport_list"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="publicreport_detail"),
    path("reports/<int:pk>/contact/", views.ReportContact.as_view(), name="report_contact"),
    path("reports/<int:pk>/inspection/", views.ReportToInspection.as_view(), name="report_inspection"),
    path("reports/<int:pk>/close/", views.ReportClose.as_view(), name="report_close"),
    path("reports/photos/<int:pk>/", views.report_photo, name="report_photo"),
    path("report/", views.public_report, name="public_report"),
    path("report/status/", views.public_report_status, name="public_report_status"),
    path("viewing/", views.ViewingList.as_view(), name="viewingrequest_list"),
    path("viewing/add/", views.ViewingAdd.as_view(), name="viewingrequest_add"),
    path("viewing/<int:pk>/", views.ViewingDetail.as_view(), name="viewingrequest_detail"),
    path("viewing/<int:pk>/consent/", views.ViewingConsent.as_view(), name="viewing_consent"),
    path("viewing/<int:pk>/refuse/", views.ViewingRefuse.as_view(), name="viewing_refuse"),
]
