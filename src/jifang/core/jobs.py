"""Core's periodic jobs (jifang.jobs.schedule)."""
from jifang.jobs.schedule import every, periodic


@periodic("core.audit_checkpoint", every(hours=1), title=("审计日志签名检查点", "Audit log checkpoint"))
def audit_checkpoint(now):
    """A signed checkpoint of the audit chain's head every hour, beside those every N entries."""
    from .audit import checkpoint

    return checkpoint().number
