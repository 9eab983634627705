"""The whole API under fuzzing: schemathesis reads the OpenAPI schema the site serves
(/api/schema/) and sends generated requests, valid and invalid (wrong types, missing and
extra fields, NUL characters, huge numbers, odd headers), to every operation, through the
real WSGI application in this process. No answer may be a 5xx.

It runs twice: anonymous, then as a verified user, by turns with a personal API token and
with a browser's session (and CSRF token); each run must send at least half of
MINIMUM_REQUESTS. Path parameters are real slugs, idea ids, pair tokens and token ids of a
seeded world two times in three (the rest generated), so that the views behind the 404 are
reached too. On top of schemathesis' own cases: hostile
headers (a token, a session cookie, a language with any Latin-1 character, NUL included),
a NUL character in one path parameter, query or body in four, and bodies nested around
the JSON parser's depth limit.

`make test` runs them with the defaults below (about 6,000 requests, a fixed seed, about
two minutes); `make fuzz` runs only them with more examples and a random seed
(FOULE_FUZZ_EXAMPLES, FOULE_FUZZ_SEED). A failure prints the request as a curl command.
"""

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Err
from schemathesis.generation.meta import TestPhase
from schemathesis.pytest.lazy import get_all_tests

from accounts.models import ApiToken
from accounts.tokens import api_token_create
from ideas.models import Idea
from notifications.services import notification_create
from tests.factories import (
    PASSWORD,
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting import ballots, pairwise
from voting.api.fast_path import VoteFastPath
from voting.results import result_compute
from voting.services import vote_cast

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Examples per operation and identity in the generation phase (the schema's examples and
# schemathesis' coverage cases come on top).
EXAMPLES = int(os.environ.get("FOULE_FUZZ_EXAMPLES", "100"))
# A fixed seed by default, so that a CI failure reproduces; `make fuzz` picks a random one.
SEED = os.environ.get("FOULE_FUZZ_SEED", "20260801")
MINIMUM_REQUESTS = int(os.environ.get("FOULE_FUZZ_MINIMUM_REQUESTS", "5000"))

STATUSES: dict[int, int] = {}


@dataclass
class World:
    """What the seeded data offers the path parameters and bodies."""

    slugs: list[str] = field(default_factory=list)
    idea_ids: list[int] = field(default_factory=list)
    pair_tokens: list[str] = field(default_factory=list)
    token_ids: list[int] = field(default_factory=list)
    email: str = ""
    authorization: str = ""
    session_cookies: dict[str, str] = field(default_factory=dict)
    csrf_header: dict[str, str] = field(default_factory=dict)
    protected_token_id: int = 0
    coverage_cases: int = 0


def closed(**kwargs):
    past = timezone.now() - timedelta(days=1)
    return CampaignFactory(
        submission_opens_at=past - timedelta(days=20),
        submission_closes_at=past - timedelta(days=10),
        voting_opens_at=past - timedelta(days=10),
        voting_closes_at=past,
        **kwargs,
    )


@pytest.fixture
def world(api_as) -> World:
    """A brand with campaigns of several formats (open, private, pre-moderated, closed with
    a final result), ideas, votes, ballots, pairs to answer, notifications, and the fuzzing
    user with a personal token."""
    brand = BrandFactory(slug="fuzz-brand")
    me = UserFactory(email="fuzz@example.org")
    others = [UserFactory() for _ in range(4)]
    BrandMembershipFactory(brand=brand, role="manager")
    campaigns = {
        "updown": CampaignFactory(brand=brand, slug="fuzz-updown"),
        "support": CampaignFactory(
            brand=brand, slug="fuzz-support", voting_method="support",
            support_stages=[[2, 10], [3, 30]],
        ),
        "star": CampaignFactory(brand=brand, slug="fuzz-star", voting_method="star"),
        "pairwise": CampaignFactory(brand=brand, slug="fuzz-pairwise", voting_method="pairwise"),
        "single": CampaignFactory(brand=brand, slug="fuzz-single", voting_method="single"),
        "approval": CampaignFactory(brand=brand, slug="fuzz-approval", voting_method="approval"),
        "ranked": CampaignFactory(brand=brand, slug="fuzz-ranked", voting_method="ranked"),
        "budget": CampaignFactory(
            brand=brand, slug="fuzz-budget", voting_method="budget", budget_amount=1000
        ),
        "private": CampaignFactory(brand=brand, slug="fuzz-private", is_private=True),
        "premoderated": CampaignFactory(brand=brand, slug="fuzz-moderated", moderation="pre"),
        "draft": CampaignFactory(brand=brand, slug="fuzz-draft", is_published=False),
        "closed": closed(brand=brand, slug="fuzz-closed", voting_method="approval"),
    }  # fmt: skip
    ideas = {}
    for name, campaign in campaigns.items():
        ideas[name] = [
            IdeaFactory(campaign=campaign, author=author, cost=100) for author in [me, *others[:3]]
        ]
    Idea.objects.filter(pk=ideas["updown"][3].pk).update(status=Idea.Status.HIDDEN)
    Idea.objects.filter(pk=ideas["premoderated"][2].pk).update(status=Idea.Status.PENDING)
    for voter in others:
        vote_cast(voter=voter, idea=ideas["updown"][0], value=1)
        vote_cast(voter=voter, idea=ideas["star"][0], value=4)
    vote_cast(voter=me, idea=ideas["updown"][1], value=-1)
    ballots.ballot_submit(
        voter=me, campaign=campaigns["approval"], choices=[ideas["approval"][1].pk]
    )
    prompts = [
        pairwise.pairwise_issue(voter=voter, campaign=campaigns["pairwise"])
        for voter in [me, *others]
    ]
    # The closed campaign: ballots cast while it was open, then its final result.
    closed_campaign = campaigns["closed"]
    for voter in others:
        type(closed_campaign).objects.filter(pk=closed_campaign.pk).update(
            voting_closes_at=timezone.now() + timedelta(days=1)
        )
        closed_campaign.refresh_from_db()
        ballots.ballot_submit(
            voter=voter, campaign=closed_campaign, choices=[ideas["closed"][0].pk]
        )
    type(closed_campaign).objects.filter(pk=closed_campaign.pk).update(
        voting_closes_at=timezone.now() - timedelta(days=1)
    )
    closed_campaign.refresh_from_db()
    result_compute(campaign=closed_campaign, final=True)
    for number in range(3):
        notification_create(
            recipient=me, kind="idea_published", event_key=f"fuzz:{number}",
            params={"title": f"Idea {number}"}, url="/",
        )  # fmt: skip
    spare_tokens = [api_token_create(user=me, name=f"spare {n}")[0] for n in range(3)]
    client = api_as(me)
    browser = Client()
    browser.force_login(me)
    csrf_secret = get_random_string(32)
    return World(
        slugs=[campaign.slug for campaign in campaigns.values()],
        idea_ids=[idea.pk for group in ideas.values() for idea in group],
        pair_tokens=[prompt.token for prompt in prompts],
        token_ids=[token.pk for token in spare_tokens],
        email=me.email,
        authorization=client._credentials["HTTP_AUTHORIZATION"],
        session_cookies={"sessionid": browser.cookies["sessionid"].value, "csrftoken": csrf_secret},
        csrf_header={"X-CSRFToken": csrf_secret},
        protected_token_id=ApiToken.objects.filter(user=me).latest("pk").pk,
    )


@pytest.fixture
def wsgi_application():
    """Django's WSGI handler wrapped as config/wsgi.py wraps it (the vote's fast path
    answers token votes below Django), with the test's database connection kept open: a
    request's end must not close the connection that holds the test's transaction (Django's
    test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Thousands of 4xx warnings say nothing; a 5xx is still logged, as an error.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield VoteFastPath(WSGIHandler())
    logger.setLevel(level)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_path_parameters(path: str, world: World) -> dict[str, list]:
    if "{slug}" in path:
        return {"slug": world.slugs}
    if path.startswith("/api/v1/me/tokens/"):
        return {"id": world.token_ids}
    if "{id}" in path:
        return {"id": world.idea_ids}
    if "{token}" in path:
        return {"token": world.pair_tokens}
    return {}


# Header values as a client may send them (any Latin-1 character but a line break, NUL
# included, not starting with a space, which the HTTP client refuses to send): a token, a
# session cookie, a language, a forwarded address.
HEADER_TEXT = st.text(
    st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=40
).filter(lambda text: not text[:1].isspace())
HOSTILE_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Authorization": st.tuples(
            st.sampled_from(["Token ", "Bearer ", "Basic ", "token", ""]), HEADER_TEXT
        ).map("".join),
        "Cookie": st.tuples(
            st.sampled_from(["sessionid=", "csrftoken=", "django_language=", ""]), HEADER_TEXT
        ).map("".join),
        "Accept-Language": HEADER_TEXT,
        "X-Forwarded-For": HEADER_TEXT,
        "X-Requested-With": HEADER_TEXT,
    },
)


def with_nul(value):
    """`value` with a NUL character in its first string (or as a new one)."""
    if isinstance(value, dict):
        if not value:
            return {"x": "\x00"}
        first = next(iter(value))
        return {**value, first: with_nul(value[first])}
    if isinstance(value, list):
        return [with_nul(value[0]), *value[1:]] if value else ["\x00"]
    if isinstance(value, str):
        return value[: len(value) // 2] + "\x00" + value[len(value) // 2 :]
    if isinstance(value, bytes):
        return value + b"\x00"
    return f"{value}\x00" if isinstance(value, int | float) else value


def sometimes_with_nul(value):
    if value is None:
        return st.just(value)
    return st.sampled_from([value, value, value, with_nul(value)])


def deep(depth: int) -> dict:
    value: list | dict = []
    for level in range(depth - 1):
        value = [value] if level % 2 else {"a": value}
    return {"title": value, "body": value}


# Bodies nested around the parser's depth limit (core.parsers.MAX_JSON_DEPTH is 64).
DEEP_BODIES = st.integers(min_value=60, max_value=400).map(deep)


@pytest.fixture
def api_schema(wsgi_application, world):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_application)

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        real = real_path_parameters(context.operation.path, world)
        if not real:
            return strategy
        chosen = st.fixed_dictionaries({name: st.sampled_from(v) for name, v in real.items()})
        return st.one_of(chosen, chosen, strategy)  # real two times in three

    @schema.hook
    def before_generate_headers(context, strategy):
        return st.one_of(strategy, HOSTILE_HEADERS)

    # A NUL character, one case in four, in a path parameter, the query or the body.
    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        return sometimes_with_nul(path_parameters)

    @schema.hook
    def flatmap_query(context, query):
        return sometimes_with_nul(query)

    @schema.hook
    def flatmap_body(context, body):
        return sometimes_with_nul(body)

    @schema.hook
    def before_generate_body(context, strategy):
        path = context.operation.path
        if path.endswith("/ballot/"):
            real = st.fixed_dictionaries({"choices": st.lists(st.sampled_from(world.idea_ids))})
        elif path == "/api/v1/auth/token/":
            real = st.fixed_dictionaries(
                {"email": st.just(world.email), "password": st.sampled_from([PASSWORD, "x"])}
            )
        else:
            return st.one_of(strategy, DEEP_BODIES)
        return st.one_of(real, strategy, DEEP_BODIES)

    if SEED != "random":
        schema.config.seed = int(SEED)
    STATUSES.clear()
    return schema


def use_real_path_parameters(case, world: World) -> None:
    """The coverage phase tries edge cases of one parameter at a time with the others at a
    default ("0" for a slug): real path parameters let those reach the view, unless the
    path parameter is the one being tried."""
    meta = case.meta
    if meta is None or meta.phase.name != TestPhase.COVERAGE:
        return
    if meta.phase.data.parameter_location == ParameterLocation.PATH:
        return
    for name, values in real_path_parameters(case.operation.path, world).items():
        world.coverage_cases += 1
        case.path_parameters[name] = values[world.coverage_cases % len(values)]


FUZZ_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def fuzz(schema, send) -> tuple[int, list[str]]:
    """Run schemathesis' tests of every operation (the schema's examples, its coverage
    cases, then EXAMPLES generated cases), each request through `send(case)`. Returns the
    number of requests and the failures of all operations (not just the first).

    Drives the tests the way `schemathesis.pytest.from_fixture` does, without its pytest
    wrapper: schemathesis 4.32's lazy schema sets `Node._nodeid`, which pytest 9 removed."""
    load_all_checks()
    sent = 0

    def test(case):
        nonlocal sent
        sent += 1
        send(case)

    failures = []
    for result in get_all_tests(
        schema=schema, test_func=test, settings=FUZZ_SETTINGS, given_kwargs={}
    ):
        if isinstance(result, Err):
            failures.append(f"invalid schema: {result.err()}")
            continue
        operation, operation_test = result.ok()
        try:
            operation_test()
        except FailureGroup as error:
            failures.append(f"{operation.label}: {error}")
    return sent, failures


def check(case, world: World, headers: dict | None = None, cookies: dict | None = None) -> None:
    use_real_path_parameters(case, world)
    response = case.call(headers=headers, cookies=cookies)
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
    case.validate_response(response, checks=[not_a_server_error], headers=headers)


def test_no_anonymous_request_gets_a_5xx(api_schema, world):
    started = time.monotonic()
    sent, failures = fuzz(api_schema, lambda case: check(case, world))
    report("anonymous", sent, started)
    assert not failures, "\n\n".join(failures)
    assert sent >= MINIMUM_REQUESTS / 2


def test_no_logged_in_request_gets_a_5xx(api_schema, world):
    sent = 0

    def send(case):
        nonlocal sent
        sent += 1
        # Revoking or rotating the token this run authenticates with would make the rest
        # of the run anonymous: another token of the user is used instead.
        if case.path.startswith("/api/v1/me/tokens/{id}") and str(
            (case.path_parameters or {}).get("id")
        ) == str(world.protected_token_id):
            case.path_parameters["id"] = world.token_ids[0]
        # Every other request by the session of a browser (with its CSRF token): a token
        # may not manage tokens, a session may.
        if sent % 2:
            # A generated token or session cookie would be tried instead, and refused.
            for name in ("Authorization", "Cookie"):
                (case.headers or {}).pop(name, None)
            check(case, world, headers=world.csrf_header, cookies=world.session_cookies)
        else:
            check(case, world, headers={"Authorization": world.authorization})

    started = time.monotonic()
    sent, failures = fuzz(api_schema, send)
    report("logged in", sent, started)
    assert not failures, "\n\n".join(failures)
    assert sent >= MINIMUM_REQUESTS / 2
    assert STATUSES.get(401, 0) < sent / 2  # most requests were indeed logged in


def report(identity: str, sent: int, started: float) -> None:
    print(  # shown with -s: the figures of the run
        f"\nfuzz ({identity}): {sent} requests in {time.monotonic() - started:.0f} s, "
        f"statuses {dict(sorted(STATUSES.items()))}"
    )
