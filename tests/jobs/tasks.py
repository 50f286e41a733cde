"""Tasks the two-process test queues (importable by a `jifang worker` subprocess)."""
import time

from django.tasks import task

from jifang.core import audit


@task
def note_run(n: int):
    """Leave one audit row per execution: two runs of one task would leave two."""
    time.sleep(0.01)
    audit.record(actor=None, action="jobs.test.ran", note=str(n))
    return n
