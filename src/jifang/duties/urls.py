from django.urls import path

from . import views

app_name = "duties"

urlpatterns = [
    path("outages/", views.OutageList.as_view(), name="outage_list"),
    path("outages/add/", views.OutageAdd.as_view(), name="outage_add"),
    path("outages/<int:pk>/", views.OutageDetail.as_view(), name="outage_detail"),
    path("outages/<int:pk>/explain/", views.OutageExplain.as_view(), name="outage_explain"),
    path("footage/", views.FootageUseList.as_view(), name="footageuse_list"),
    path("footage/add/", views.FootageUseAdd.as_view(), name="footageuse_add"),
    path("footage/<int:pk>/", views.FootageUseDetail.as_view(), name="footageuse_detail"),
]
