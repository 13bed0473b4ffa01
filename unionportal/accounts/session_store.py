"""The portal's session engine: Django's database sessions (``SESSION_ENGINE``), the session
read by a statement compiled once per process (``unionportal.compiled_sql``).

Every signed-in request reads its session first, and building that query through the ORM cost
more than running it; the row is read live each time, as before."""

from django.contrib.sessions.backends import db
from django.db import router
from django.utils import timezone

from unionportal import compiled_sql


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model

        def build():
            return model.objects.filter(session_key=compiled_sql.CODE)

        found = compiled_sql.fetch_instances(("sessions.by_key",), build, router.db_for_read(model),
                                             code=self.session_key)
        # Expired as Django's own read has it (expire_date > now in its query): no session.
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
