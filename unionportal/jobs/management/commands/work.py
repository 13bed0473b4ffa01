"""``manage.py work [--until-idle]``: run background jobs from the configured queue.

The database queue (django-tasks-db) by default, RQ on Redis when ``REDIS_URL`` is set.  The
worker runs each job in its own process (as the database worker does; for RQ its
``SimpleWorker``), so the PDF renderer stays warm from one job to the next.  On start and
every ``JOBS_REAP_SECONDS`` it reaps the jobs of dead workers (``services.reap``).  With
``--until-idle`` it exits 0 once the queue is empty.
"""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string

from unionportal.jobs.services import reap

BATCH = 25  # jobs between two looks at the reaper


class Command(BaseCommand):
    help = "Run background jobs from the configured queue (database, or Redis with REDIS_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--until-idle", action="store_true",
                            help="exit (status 0) once the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks at an empty queue (default 1)")

    def handle(self, *args, until_idle=False, interval=1.0, **options):
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

        self.stopping = False
        self.verbosity = options["verbosity"]
        kind = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
        drains = {"DatabaseBackend": self.drain_database, "RQBackend": self.drain_rq,
                  "ImmediateBackend": lambda: False}
        if kind not in drains:
            raise CommandError(f"the task backend {kind} has no worker")
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.loop(drains[kind], until_idle=until_idle, interval=max(0.0, interval))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop(self, signum, frame):
        self.stopping = True
        worker = getattr(self, "worker", None)
        if worker is not None and hasattr(worker, "running"):
            worker.running = False  # the database worker finishes its job, then returns

    def loop(self, drain, *, until_idle: bool, interval: float) -> None:
        every = float(getattr(settings, "JOBS_REAP_SECONDS", 60))
        next_reap = 0.0
        while not self.stopping:
            requeued = 0
            if time.monotonic() >= next_reap:
                counts = reap()
                requeued = counts["requeued"]
                if self.verbosity > 1 or any(counts.values()):
                    self.stdout.write(f"reaped: {counts}")
                next_reap = time.monotonic() + every
            ran = drain()
            close_old_connections()
            for sig in (signal.SIGINT, signal.SIGTERM):  # RQ installs its own while it works
                signal.signal(sig, self.stop)
            if until_idle and not ran and not requeued:
                return
            if not ran:
                time.sleep(interval)

    def drain_database(self) -> bool:
        """Run the queued tasks (at most BATCH), as django-tasks-db's own worker does."""
        from django_tasks_db.management.commands.db_worker import Worker
        from django_tasks_db.models import DBTaskResult

        if not DBTaskResult.objects.ready().filter(backend_name="default").exists():
            return False
        self.worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                             startup_delay=False, max_tasks=BATCH, excluded_queue_names=[],
                             worker_id=get_random_string(32))
        try:
            self.worker.run()
        finally:
            self.worker = None
        return True

    def drain_rq(self) -> bool:
        """Run the queued RQ jobs in this process until the queues are empty (burst mode)."""
        import django_rq
        from django_tasks_rq import Job
        from rq.worker import SimpleWorker

        connections.close_all()  # no connection is shared with what the worker does
        queues = list(settings.RQ_QUEUES)
        self.worker = django_rq.get_worker(*queues, job_class=Job, worker_class=SimpleWorker,
                                           name=f"unionportal-{get_random_string(12)}")
        try:
            ran = self.worker.work(burst=True, max_jobs=BATCH, logging_level="WARNING")
            if getattr(self.worker, "_stop_requested", False):
                self.stopping = True
        finally:
            self.worker = None
        return bool(ran)
