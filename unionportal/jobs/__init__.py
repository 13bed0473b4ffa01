"""Background jobs (后台任务): long work out of the web request, on Django's task API.

``django-tasks`` (the API Django 6.0 adopts as ``django.tasks``) with ``django-tasks-db`` as
the embedded queue (SQLite or PostgreSQL) and ``django-tasks-rq`` when ``REDIS_URL`` is set.
A ``Job`` row is what a person sees at ``/jobs/<id>/``: what it is, who started it, progress,
the result or the error.  Apps declare their kinds in ``<app>/jobs.py`` (found like admin
modules); this package imports no domain app.
"""
