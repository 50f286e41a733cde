from rest_framework import serializers

from ..models import Division, User


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["code", "name", "name_en", "parent"]


class MeSerializer(serializers.ModelSerializer):
    """The caller: who they are and what anchors their scope. `may_create` tells a client which
    registry objects it may create, so it need not learn the rules by trial."""

    units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    may_create = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "division", "units", "firm", "may_create"]
        read_only_fields = fields

    def get_may_create(self, user) -> dict[str, bool]:
        from jifang.core.scoping import can_write
        from jifang.registry import models as m

        models = (m.Unit, m.Firm, m.Product, m.Site, m.SitePart, m.SecuritySystem, m.Device)
        return {model._meta.model_name: can_write(user, model) for model in models}
