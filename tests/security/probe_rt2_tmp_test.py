import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient
from ideas.models import Idea
from accounts.tokens import api_token_create
from tests.factories import UserFactory, CampaignFactory, IdeaFactory

pytestmark = pytest.mark.django_db


def lim(**r):
    return override_settings(FOULE_RATE_LIMITS=r)


def test_token_write_per_user():
    u = UserFactory()
    camp = CampaignFactory(voting_method="pairwise")
    IdeaFactory.create_batch(3, campaign=camp)
    codes = []
    with lim(write="2/m/user"):
        for n in range(5):
            t, s = api_token_create(user=u, name=f"t{n}")
            c = APIClient(REMOTE_ADDR=f"10.0.0.{n}")
            c.credentials(HTTP_AUTHORIZATION=f"Token {s}")
            codes.append(c.post(f"/api/v1/campaigns/{camp.slug}/pairs/").status_code)
            codes.append(c.delete(f"/api/v1/me/tokens/{t.pk}/").status_code)
    print("token write", codes)


def test_ballot_huge():
    u = UserFactory()
    camp = CampaignFactory(voting_method="approval")
    c = APIClient(); c.force_authenticate(u)
    for ch in ([10**30], [2**63], [2**31], ["1e400"], [True], [[1]], [{"a": 1}], "x", None):
        r = c.put(f"/api/v1/campaigns/{camp.slug}/ballot/", {"choices": ch}, format="json")
        print("ballot", ch if not isinstance(ch, list) or len(str(ch)) < 30 else "big", r.status_code)
        assert r.status_code < 500
    for pk in [2**31, 2**63, 10**30]:
        r = c.put(f"/api/v1/ideas/{pk}/vote/", {"value": 1}, format="json")
        print("vote pk", pk, r.status_code)
        r = c.get(f"/ideas/{pk}/")
        print("idea page", pk, r.status_code)


@pytest.mark.parametrize("first,second", [
    (("Bike lanes", "More bike lanes."), ("BIKE LANES", "more  bike lanes.")),
    (("ﬁsh market", "Body"), ("fish market", "Body")),
    (("Straße", "Body"), ("STRASSE", "Body")),
    (("Ｂｉｋｅ", "Body"), ("Bike", "Body")),
    (("Bike", "Body text"), ("Bike", "Body\u200b text")),
    (("Bike", "Body text"), ("Bike", "Body text\u00a0")),
    (("Bike", "Body text"), ("Bi\u200bke", "Body text")),
    (("Café", "Body"), ("Cafe\u0301", "Body")),
    (("Bike", "Body"), ("Bike", "Body\u202e")),
])
def test_dup(first, second):
    u = UserFactory()
    camp = CampaignFactory()
    c = APIClient(); c.force_authenticate(u)
    url = f"/api/v1/campaigns/{camp.slug}/ideas/"
    r1 = c.post(url, {"title": first[0], "body": first[1]}, format="json")
    r2 = c.post(url, {"title": second[0], "body": second[1]}, format="json")
    print("DUP", first, second, r1.status_code, r2.status_code)


def test_methods_accept():
    u = UserFactory()
    camp = CampaignFactory()
    idea = IdeaFactory(campaign=camp)
    c = Client(); c.force_login(u)
    for url in ["/", f"/campaigns/{camp.slug}/", f"/ideas/{idea.pk}/", f"/ideas/{idea.pk}/vote/", "/accounts/", "/accounts/tokens/", "/accounts/export/", "/accounts/login/", "/notifications/", "/healthz", f"/campaigns/{camp.slug}/ballot/", f"/campaigns/{camp.slug}/results/", "/accounts/email/", "/accounts/password/change/", "/accounts/delete/", f"/brands/{camp.brand.slug}/"]:
        res = []
        for m in ["put", "patch", "delete", "options", "trace"]:
            res.append(getattr(c, m)(url).status_code)
        print("METHODS", url, res)
    a = APIClient(); a.force_authenticate(u)
    for url in ["/api/v1/campaigns/", f"/api/v1/campaigns/{camp.slug}/", f"/api/v1/ideas/{idea.pk}/", "/api/v1/me/", "/api/v1/me/export/", "/api/v1/auth/token/", f"/api/v1/campaigns/{camp.slug}/ideas/"]:
        res = [getattr(a, m)(url).status_code for m in ["put", "patch", "delete", "trace"]]
        res += [a.get(url, HTTP_ACCEPT=h).status_code for h in ["application/xml", "text/csv", "*/*;q=x", "application/json; version=\x01", "text/html"]]
        res += [a.get(url + "?format=" + f).status_code for f in ["xml", "api", "json", "%ff", "openapi"]]
        res += [a.post(url, "<x/>", content_type="application/xml").status_code]
        res += [a.post(url, "a", content_type="multipart/form-data; boundary=").status_code]
        res += [a.post(url, "a", content_type="multipart/form-data").status_code]
        res += [a.post(url, b"\xff\xfe", content_type="application/json; charset=utf-8").status_code]
        res += [a.post(url, b"{}", content_type="application/json; charset=bogus").status_code]
        print("API", url, res)
        assert all(x < 500 for x in res)
    assert 0
