"""`jifang jobs`: the platform's calendar, failed tasks with their error, and recent tasks.

    jifang jobs                 calendar, failed, recent (20)
    jifang jobs --failed        failed tasks only, with the whole last traceback
    jifang jobs --limit 100     more recent tasks
    jifang jobs retry ID        queue a failed task again (as the system; audited)
"""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jifang.core.errors import ServiceError
from jifang.jobs import selectors, services
from jifang.jobs.models import QueuedTask


def _at(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


class Command(BaseCommand):
    help = "List scheduled jobs, failed and recent background tasks / 后台任务一览"

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
        parser.add_argument("id", nargs="?", type=int)
        parser.add_argument("--failed", action="store_true", help="failed tasks only, with their traceback")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, action, id, failed, limit, **options):
        if action == "retry":
            return self._retry(id)
        if not failed:
            self.stdout.write("定期任务 / scheduled jobs (Asia/Shanghai)")
            for row in selectors.scheduled(timezone.now()):
                last = f"{row.last.status} {row.last.last_error}".strip() if row.last else "—"
                self.stdout.write(f"  {row.job.name:32} {str(row.job.schedule):18} last {_at(row.last_tick)} {last:12} "
                                  f"next {_at(row.next_tick)}")
        self.stdout.write("失败 / failed")
        for task in selectors.failed(limit):
            self._task(task)
            if failed and task.errors:
                self.stdout.write(task.errors[-1]["traceback"])
        if not failed:
            self.stdout.write(f"最近 / recent ({limit})")
            for task in selectors.recent(limit):
                self._task(task)

    def _task(self, task: QueuedTask) -> None:
        name = task.job or task.task_path
        self.stdout.write(f"  #{task.pk:<7} {name:45} {task.status:10} {task.attempts}/{task.max_attempts} "
                          f"queued {_at(task.enqueued_at)} finished {_at(task.finished_at)} {task.last_error}")

    def _retry(self, pk):
        task = QueuedTask.objects.filter(pk=pk).first() if pk else None
        if task is None:
            raise CommandError("no such task / 没有该任务")
        try:
            services.task_retry(actor=None, task=task)
        except ServiceError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"#{pk} queued again / 已重新排队")
