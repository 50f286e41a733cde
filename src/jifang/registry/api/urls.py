from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("firms", views.FirmViewSet, basename="firm")
router.register("products", views.ProductViewSet, basename="product")
router.register("sites", views.SiteViewSet, basename="site")
router.register("site-parts", views.SitePartViewSet, basename="sitepart")
router.register("systems", views.SystemViewSet, basename="securitysystem")
router.register("devices", views.DeviceViewSet, basename="device")
urlpatterns = router.urls
