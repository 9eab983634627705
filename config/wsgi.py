import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# A vote with a personal token is answered below Django's request stack, with the same
# service, limits and answers (voting/api/fast_path.py); everything else goes to Django.
# FOULE_VOTE_FAST_PATH=0 sends votes through Django too (to compare, or to rule it out).
if os.environ.get("FOULE_VOTE_FAST_PATH", "1") != "0":
    from voting.api.fast_path import VoteFastPath  # noqa: E402 (Django is set up above)

    application = VoteFastPath(application)
