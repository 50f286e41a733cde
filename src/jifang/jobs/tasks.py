"""The task every scheduled run is: look the job up and call it with its tick as `now`."""
from datetime import datetime

from django.tasks import task


@task
def run_job(name: str, tick: str):
    from .schedule import REGISTRY

    job = REGISTRY[name]
    result = job.func(datetime.fromisoformat(tick))
    return result if isinstance(result, (int, float, str, bool, type(None), dict, list)) else str(result)
