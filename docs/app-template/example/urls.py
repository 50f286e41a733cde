from django.urls import path

from . import views

app_name = "example"

urlpatterns = [
    path("records/", views.RecordList.as_view(), name="examplerecord_list"),
    path("records/<int:pk>/", views.RecordDetail.as_view(), name="examplerecord_detail"),
    path("records/<int:pk>/confirm/", views.RecordConfirm.as_view(), name="examplerecord_confirm"),
]
