from django.urls import path

from . import views

app_name = "video"

urlpatterns = [
    path("", views.Overview.as_view(), name="overview"),
    path("retention/", views.Retention.as_view(), name="retention"),
    path("endpoints/", views.EndpointList.as_view(), name="endpoint_list"),
    path("endpoints/<int:pk>/", views.EndpointDetail.as_view(), name="endpoint_detail"),
    path("endpoints/<int:pk>/password/", views.EndpointPassword.as_view(), name="endpoint_password"),
    path("channels/", views.ChannelList.as_view(), name="channel_list"),
    path("channels/<int:pk>/", views.ChannelDetail.as_view(), name="channel_detail"),
    path("channels/<int:pk>/accept/", views.ChannelAccept.as_view(), name="channel_accept"),
    path("unknown/", views.UnknownDeviceList.as_view(), name="unknowndevice_list"),
    path("proofs/", views.RetentionProofList.as_view(), name="retentionproof_list"),
    path("proofs/<int:pk>/", views.RetentionProofDetail.as_view(), name="retentionproof_detail"),
    path("devices/<int:pk>/status/", views.DeviceStatusFragment.as_view(), name="device_status"),
]
