from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("enforcement/inspections", views.InspectionViewSet, basename="enforcement-inspection")
router.register("enforcement/orders", views.OrderViewSet, basename="enforcement-order")
router.register("enforcement/cases", views.CaseViewSet, basename="enforcement-case")

urlpatterns = [
    path("enforcement/queues/", views.queues, name="enforcement-queues"),
    path("enforcement/figures/", views.figures, name="enforcement-figures"),
    path("enforcement/casefile/<str:kind>/<int:pk>/", views.casefile, name="enforcement-casefile"),
    *router.urls,
]
