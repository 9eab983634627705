"""A test client whose requests go through the vote's fast path (voting/api/fast_path.py)
first, as config/wsgi.py sends them, then to Django when the fast path leaves them."""

from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test.client import ClientHandler
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create
from voting.api import fast_path


class FastPathHandler(ClientHandler):
    """`answered` counts the requests the fast path answered itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answered = 0

    def __call__(self, environ):
        response = fast_path.answer(environ)
        if response is None:
            return super().__call__(environ)
        self.answered += 1
        response.wsgi_request = WSGIRequest(environ)
        # As ClientHandler does: the end of a request must not close the connection that
        # holds the test's transaction.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        return response


def fast_path_client(user=None) -> APIClient:
    """An API client sending its requests through the fast path; with `user`, it sends a
    new personal token of theirs, as conftest's `api_as` does (`client.api_token`)."""
    client = APIClient()
    client.handler = FastPathHandler(enforce_csrf_checks=False)
    if user is not None:
        token, secret = api_token_create(user=user, name="tests")
        # In steady use: no request of a test pays the once-a-minute last_used_at write.
        token.last_used_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        client.api_token, client.api_secret = token, secret
    return client
