"""/api/: every app contributes its routes from its own api/urls.py."""
from django.urls import include, path

urlpatterns = [
    path("", include("jifang.registry.api.urls")),
    path("", include("jifang.accounts.api.urls")),
    path("", include("jifang.works.api.urls")),
    path("", include("jifang.regulation.api.urls")),
    path("", include("jifang.enforcement.api.urls")),
    path("", include("jifang.video.api.urls")),
    path("", include("jifang.duties.api.urls")),
    path("", include("jifang.national.api.urls")),
    path("", include("jifang.alarms.api.urls")),
]
