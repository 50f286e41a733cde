from rest_framework.routers import SimpleRouter

from .. import registers
from . import views

router = SimpleRouter()
router.register("outages", views.OutageViewSet, basename="outage")
router.register("footage-uses", views.FootageUseViewSet, basename="footageuse")
router.register("camera-records", views.CameraRecordViewSet, basename="camerarecord")
router.register("camera-baselines", views.CameraBaselineViewSet, basename="camerabaseline")
for register in registers.REGISTERS:
    router.register(f"registers/{register.path}", views.REGISTER_VIEWSETS[register.name], basename=register.name)
urlpatterns = router.urls
