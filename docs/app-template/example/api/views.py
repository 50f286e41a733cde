"""Reads through `visible` (ScopedReadOnlyViewSet), so the generated scope suite covers them."""
from rest_framework import serializers

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
