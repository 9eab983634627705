import pytest
from rest_framework.test import APIClient

from core.redis import get_redis, key
from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _default_language():
    """A request with Accept-Language: fr leaves French active in its thread; every test
    starts in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def clear_test_keys() -> None:
    """Delete this run's Redis keys (cache included), never other key spaces on the server:
    Django's cache.clear() would flush the whole database under another run's feet."""
    redis = get_redis()
    for name in redis.scan_iter(match=key("*"), count=1000):
        redis.delete(name)


@pytest.fixture(autouse=True)
def _clean_redis_keys():
    """Each test starts with none of Foule's test keys in Redis (the dirty set, the
    heartbeat); other key spaces on the same server are left alone."""
    clear_test_keys()
    yield


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated with a new personal API token of the user
    (`client.api_token` is the token, `client.api_secret` its secret). The token counts as
    just used, so that no request of the test pays the once-a-minute `last_used_at` write
    (query counts are those of a token in steady use)."""
    from django.utils import timezone

    from accounts.models import ApiToken
    from accounts.tokens import api_token_create

    def make(user):
        client = APIClient()
        token, secret = api_token_create(user=user, name="tests")
        token.last_used_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        client.api_token, client.api_secret = token, secret
        return client

    return make


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker -B` process on this test database and Redis key space.
    Tests using it must commit their data (transactional_db)."""
    from tests.support.worker import WorkerProcess

    worker = WorkerProcess().start()
    yield worker
    worker.stop()
