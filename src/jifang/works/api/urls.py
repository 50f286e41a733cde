from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("works", views.WorksViewSet, basename="works")
router.register("acceptances", views.AcceptanceViewSet, basename="acceptance")
router.register("filings", views.FilingViewSet, basename="filing")
router.register("networking-notices", views.NoticeViewSet, basename="networkingnotice")
urlpatterns = router.urls
