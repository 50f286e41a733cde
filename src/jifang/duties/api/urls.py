from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("outages", views.OutageViewSet, basename="outage")
router.register("footage-uses", views.FootageUseViewSet, basename="footageuse")
urlpatterns = router.urls
