import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")
application = get_wsgi_application()

from unionportal.accounts.secret_key import refuse_development_key_without_debug  # noqa: E402

refuse_development_key_without_debug()
