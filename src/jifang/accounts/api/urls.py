from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("divisions", views.DivisionViewSet, basename="division")
urlpatterns = [path("me/", views.MeView.as_view(), name="api-me"), *router.urls]
