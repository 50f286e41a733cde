from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jifang.core"
    label = "core"
    verbose_name = "核心 Core"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from . import checks, guards, signals  # noqa: F401  (deployment checks, sign-in records)

        guards.register(guards.core_guards)
        # after every migrate, and after a flush: a table rebuilt by a migration loses its triggers
        pre_migrate.connect(guards.lift_for_migrate, dispatch_uid="jifang-guards-lift")
        post_migrate.connect(guards.install_current, dispatch_uid="jifang-guards")
