"""The vote's door below Django's request stack: `PUT` and `DELETE /api/v1/ideas/<id>/vote/`
with a personal API token (docs/decisions/0014-votes-in-one-statement.md), answered
through core.fast_path, which config/wsgi.py wraps around Django.

It answers a plain request (core.fast_path.is_plain) whose token ApiTokenAuthentication
accepts and, for PUT, whose body is a small JSON object with a "value" the API's
serializer accepts; Django answers any other (a form, a bad value, a bad token: Django's
400 or 401 say what is wrong). The rest is IdeaVoteView's, in the same order: the "write"
rate by address as RateLimitMiddleware counts it, the view's throttles (the account's
"write" rate among them), the "vote" rate, then `voting.services.vote_set`, whose one
statement also checks that the token still holds (a refusal there is the authenticator's
401). tests/voting/test_vote_fast_path.py runs the API's vote tests through it and
compares its answers and headers with Django's."""

import re

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.request import Request

from accounts.authentication import (
    ApiTokenAuthentication,
    TokenRefused,
    forget_token_owner,
    header_secret,
    known_token_owner,
)
from core.fast_path import Door, FastPath, json_body, refusal, respond, view_for
from core.fast_path import answer as door_answer
from core.ratelimit import rate_limit
from voting import services
from voting.api.serializers import VoteInputSerializer, vote_answer
from voting.api.views import IdeaVoteView

_VALUE = VoteInputSerializer().fields["value"]


class _TokenUser:
    """The account a token authenticated, as the rate limits and throttles ask about it:
    signed in, with its id (no User row is read for a vote)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, pk: int):
        self.pk = self.id = pk


class VoteDoor(Door):
    methods = frozenset({"PUT", "DELETE"})
    path = re.compile(r"/api/v1/ideas/([1-9][0-9]{0,17})/vote/")
    header = "HTTP_AUTHORIZATION"
    view_class = IdeaVoteView

    def value(self, request) -> int | None:
        """0 to withdraw, else the body's "value" as the API's serializer reads it."""
        if request.method == "DELETE":
            return 0
        data = json_body(request, max_bytes=1024)
        if not isinstance(data, dict) or "value" not in data:
            return None
        try:
            return _VALUE.run_validation(data["value"])
        except ValidationError:
            return None

    def answer(self, request, match):
        secret = header_secret(request.META["HTTP_AUTHORIZATION"])
        value = self.value(request)
        owner = None if secret is None or value is None else known_token_owner(secret)
        if owner is None:
            return None
        idea_id = int(match.group(1))
        # RateLimitMiddleware: the "write" rate, by address (the token is not known there).
        request.user = AnonymousUser()
        rate_limit(request, "write")
        request.foule_write_counted_account_id = None
        drf_request = Request(request)
        drf_request.user = _TokenUser(owner.user_id)
        # The view's throttles, AccountWriteThrottle (the account's "write" rate) among them.
        view_for(IdeaVoteView, drf_request, pk=idea_id).check_throttles(drf_request)
        rate_limit(request, "vote")
        try:
            answer = services.vote_set(
                voter_id=owner.user_id, idea_id=idea_id, value=value, token_hash=owner.token_hash
            )
        except services.IdeaNotFound:
            return refusal(request, Http404(), view_class=IdeaVoteView)
        except TokenRefused:
            return self.token_refused(request, secret, owner, idea_id, value)
        return respond(request, 200, vote_answer(answer), view_class=IdeaVoteView)

    def token_refused(self, request, secret, owner, idea_id, value):
        """The token stopped holding since this process read its owner: the
        authenticator's 401, its message and WWW-Authenticate header as DRF gives them."""
        forget_token_owner(owner.token_hash)
        authenticator = ApiTokenAuthentication()
        try:
            authenticator.authenticate_credentials(secret)
        except AuthenticationFailed as refused:
            headers = {"WWW-Authenticate": authenticator.keyword}
            return refusal(request, refused, view_class=IdeaVoteView, headers=headers)
        # It holds again (an account unblocked a moment ago): checked now, as by Django.
        answer = services.vote_set(voter_id=owner.user_id, idea_id=idea_id, value=value)
        return respond(request, 200, vote_answer(answer), view_class=IdeaVoteView)


DOORS = (VoteDoor(),)


def answer(environ):
    """Django's answer to a plain vote with a token, or None: Django answers."""
    return door_answer(environ, DOORS)


def VoteFastPath(application):  # noqa: N802 (a WSGI middleware, named as one)
    return FastPath(application, *DOORS)
