from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("system-filings", views.SystemFilingViewSet, basename="systemfiling")
router.register("public-reports", views.PublicReportViewSet, basename="publicreport")
router.register("viewing-requests", views.ViewingRequestViewSet, basename="viewingrequest")
urlpatterns = router.urls
