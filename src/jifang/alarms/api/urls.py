from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("alarm-events", views.EventViewSet, basename="alarmevent")
router.register("alarm-accounts", views.AccountViewSet, basename="alarmaccount")
urlpatterns = router.urls
