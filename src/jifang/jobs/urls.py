from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.JobsView.as_view(), name="list"),
    path("<int:pk>/retry/", views.RetryView.as_view(), name="retry"),
]
