"""Deployment checks of Jifang's own (run by `jifang check --deploy`)."""
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def platform_key_configured(app_configs, **kwargs):
    """The trust anchor must come from the operator: the generated development key lives next to
    the database it is meant to protect."""
    from . import platform_key

    if platform_key.source() == "development":
        return [checks.Error(
            "No platform key: set JIFANG_PLATFORM_KEY or JIFANG_PLATFORM_KEY_FILE (未配置平台密钥).",
            hint="Generate one with `jifang audit platform-key --new FILE` and keep it outside the database "
                 "and its backups; see docs/operations.md.", id="jifang.E001")]
    try:
        platform_key.private_key()
    except platform_key.PlatformKeyError as exc:
        return [checks.Error(str(exc), id="jifang.E002")]
    return []
