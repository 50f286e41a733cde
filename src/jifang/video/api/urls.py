from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("video/endpoints", views.EndpointViewSet, basename="videoendpoint")
router.register("video/proofs", views.RetentionProofViewSet, basename="retentionproof")
urlpatterns = router.urls
