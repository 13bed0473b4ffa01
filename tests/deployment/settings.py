"""Settings of the app servers the deployment test starts: the suite's settings, but the shared
stores come from the environment as in production (the suite itself keeps its memory cache and
runs jobs immediately)."""

import os

from tests.settings import *  # noqa: F403
from unionportal import settings as production
from unionportal.shared_stores import caches_setting

CACHES = caches_setting(os.environ)
TASKS = production.TASKS
RQ_QUEUES = getattr(production, "RQ_QUEUES", {})
