"""Reads through `visible` (ScopedReadOnlyViewSet), so the generated scope suite covers them."""
from rest_framework import serializers
from rest_framework.routers import DefaultRouter

from jifang.core.api import ScopedReadOnlyViewSet

from .. import filtersets
from .. import models as m


class ExampleRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.ExampleRecord
        fields = ["id", "number", "system", "site", "unit", "district", "happened_on"]


class ExampleRecordViewSet(ScopedReadOnlyViewSet):
    queryset = m.ExampleRecord.objects.all()
    serializer_class = ExampleRecordSerializer
    filterset_class = filtersets.ExampleRecordFilterSet


router = DefaultRouter()
router.register("example-records", ExampleRecordViewSet, basename="examplerecord")
urlpatterns = router.urls
