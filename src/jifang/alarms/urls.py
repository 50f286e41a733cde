"""报警中心 alarm centre (art_12): console, events, figures, accounts, quarantine."""
from django.urls import path

from . import views

app_name = "alarms"

urlpatterns = [
    path("", views.console, name="console"),
    path("queue/", views.queue_fragment, name="queue"),
    path("events/", views.EventList.as_view(), name="alarmevent_list"),
    path("events/export.csv", views.event_export, name="event_export"),
    path("events/<int:pk>/", views.event_detail, name="alarmevent_detail"),
    path("events/<int:pk>/<str:action>/", views.event_act, name="event_act"),
    path("figures/", views.figures, name="figures"),
    path("accounts/", views.AccountList.as_view(), name="alarmaccount_list"),
    path("accounts/add/", views.account_add, name="alarmaccount_add"),
    path("accounts/<int:pk>/", views.AccountDetail.as_view(), name="alarmaccount_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="alarmaccount_edit"),
    path("quarantine/", views.QuarantineList.as_view(), name="unknownaccount_list"),
]
