"""The task queue: one row per enqueued task (django.tasks' TaskResult, kept in the database).

A scheduled job's run is a row with `job` and `tick` set; the unique (job, tick) pair is the claim
that lets several schedulers on several nodes queue each tick exactly once."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskStatus(models.TextChoices):
    # the same values as django.tasks.TaskResultStatus
    READY = "READY", pgettext_lazy("task", "waiting")
    RUNNING = "RUNNING", pgettext_lazy("task", "running")
    FAILED = "FAILED", pgettext_lazy("task", "failed")
    SUCCESSFUL = "SUCCESSFUL", pgettext_lazy("task", "done")


class QueuedTask(models.Model):
    task_path = models.CharField(_("task"), max_length=300)
    queue_name = models.CharField(_("queue"), max_length=64, default="default")
    priority = models.SmallIntegerField(_("priority"), default=0)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.READY)
    enqueued_at = models.DateTimeField(_("queued at"))
    run_after = models.DateTimeField(_("not before"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    last_attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # a running task whose lease has passed belongs to a worker that died: it is queued again
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("attempts allowed"), default=3)
    worker_ids = models.JSONField(default=list)
    errors = models.JSONField(default=list)  # [{exception_class_path, traceback, at}]
    return_value = models.JSONField(null=True, blank=True)
    # at most one waiting task per key: a burst of requests for the same work is queued once
    dedupe_key = models.CharField(max_length=100, null=True, blank=True)
    job = models.CharField(_("job"), max_length=100, blank=True)
    tick = models.DateTimeField(_("scheduled for"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "queue_name", "run_after"], name="jobs_task_ready_idx",
                         condition=Q(status="READY")),
            models.Index(fields=["job", "-tick"], name="jobs_task_job_tick_idx"),
            models.Index(fields=["status", "-id"], name="jobs_task_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["job", "tick"], name="jobs_task_one_run_per_tick",
                                    condition=Q(tick__isnull=False)),
            models.UniqueConstraint(fields=["dedupe_key"], name="jobs_task_one_waiting_per_key",
                                    condition=Q(status="READY", dedupe_key__isnull=False)),
        ]
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")

    def __str__(self):
        return self.job or self.task_path

    @property
    def last_error(self) -> str:
        """The exception's last line (the traceback's summary), or ''."""
        if not self.errors:
            return ""
        lines = [line for line in self.errors[-1].get("traceback", "").strip().splitlines() if line.strip()]
        return lines[-1] if lines else self.errors[-1].get("exception_class_path", "")
