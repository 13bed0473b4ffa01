"""Gunicorn settings for production: `gunicorn -c python:unionportal.gunicorn unionportal.wsgi`.

Each variable can be overridden on the command line (e.g. `--bind 0.0.0.0:8000`).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 60  # a large subtree PDF or import may take several seconds
accesslog = "-"


def post_worker_init(worker):
    """Warm the PDF renderer in each worker so no user waits for the fonts to load."""
    from unionportal.pdf import warm_up

    warm_up()
