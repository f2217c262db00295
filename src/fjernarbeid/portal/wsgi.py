"""The WSGI application that ``fjernarbeid portal serve`` hands to waitress."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fjernarbeid.portal.settings")
application = get_wsgi_application()
