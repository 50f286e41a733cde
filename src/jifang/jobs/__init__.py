"""Background work and the platform's own calendar (issue 14 §2).

- `backend.DatabaseBackend`: Django's task framework (`django.tasks`) on a table of this app
  (`QueuedTask`), so any app writes `@task` functions and `.enqueue()`s them; no Redis, the same on
  SQLite and PostgreSQL. `jifang worker` runs them (claims are compare-and-set updates: two workers
  never run one task), retries a failure with back-off, and records every error.
- `schedule`: an app declares its periodic jobs in `<app>/jobs.py` with `@periodic(name, daily(...))`
  or `every(seconds=...)`; `jifang scheduler` claims each tick once in the database, however many
  nodes run it, and queues the job as a task.
"""
