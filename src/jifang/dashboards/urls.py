from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("charts/", views.charts, name="charts"),
]
