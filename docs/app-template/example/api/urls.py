"""Included from jifang/api_urls.py: `path("", include("jifang.example.api.urls"))`."""
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("example-records", views.ExampleRecordViewSet, basename="examplerecord")
urlpatterns = router.urls
