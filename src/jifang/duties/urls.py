from django.urls import path

from . import registers, views

app_name = "duties"

urlpatterns = [
    path("outages/", views.OutageList.as_view(), name="outage_list"),
    path("outages/add/", views.OutageAdd.as_view(), name="outage_add"),
    path("outages/<int:pk>/", views.OutageDetail.as_view(), name="outage_detail"),
    path("outages/<int:pk>/explain/", views.OutageExplain.as_view(), name="outage_explain"),
    path("footage/", views.FootageUseList.as_view(), name="footageuse_list"),
    path("footage/add/", views.FootageUseAdd.as_view(), name="footageuse_add"),
    path("footage/<int:pk>/", views.FootageUseDetail.as_view(), name="footageuse_detail"),
    path("suspicion-reports/<int:pk>/acknowledge/", views.SuspicionAcknowledge.as_view(),
         name="suspicionreport_acknowledge"),
    path("evidence/<str:name>/<int:pk>/", views.evidence, name="evidence"),
    path("cameras/", views.CameraBaselineList.as_view(), name="camerabaseline_list"),
    path("cameras/<int:pk>/", views.CameraBaselineDetail.as_view(), name="camerabaseline_detail"),
    path("cameras/records/", views.CameraRecordList.as_view(), name="camerarecord_list"),
    path("cameras/records/add/", views.CameraApprovedAdd.as_view(), name="camerarecord_add"),
    path("cameras/records/found/", views.CameraFoundAdd.as_view(), name="camerarecord_found"),
    path("cameras/records/<int:pk>/", views.CameraRecordDetail.as_view(), name="camerarecord_detail"),
]
for _register in registers.REGISTERS:
    _list, _detail, _add = views.REGISTER_VIEWS[_register.name]
    urlpatterns += [
        path(f"{_register.path}/", _list.as_view(), name=f"{_register.name}_list"),
        path(f"{_register.path}/add/", _add.as_view(), name=f"{_register.name}_add"),
        path(f"{_register.path}/<int:pk>/", _detail.as_view(), name=f"{_register.name}_detail"),
    ]
