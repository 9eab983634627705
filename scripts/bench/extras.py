"""The figures outside the load rounds: the full recount of every vote, and a brand
manager's dashboard read by one logged-in person (the latency one visitor sees)."""

from __future__ import annotations

import re
import time
from http.client import HTTPConnection
from urllib.parse import urlencode

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from campaigns.models import Campaign
from insights.stats import campaign_stats_refresh
from scripts.bench import monitor, seed
from scripts.bench.knobs import DASHBOARD_REQUESTS, HOST, VOTES
from scripts.bench.report import note, say
from scripts.bench.servers import Services
from tests.factories import PASSWORD, BrandMembershipFactory
from voting.tally import tally_recount_all


class Visitor:
    """One visitor's keep-alive connection to the web server, with their cookies."""

    def __init__(self, port: int):
        self.port = port
        self.http = HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Host": HOST, "Cookie": cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        self.http.request(method, path, body=body, headers=headers)
        response = self.http.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def close(self) -> None:
        self.http.close()


def dashboard_scenario(data: seed.Seeded, services: Services) -> dict:
    """A brand manager's dashboard of the seeded campaign: the worker's figures refreshed
    once (timed: what the beat does every minute on a running campaign), then the manager
    logs in through the real login form and reads the page DASHBOARD_REQUESTS times in a
    row, one client with its session cookie: the latency one person sees."""
    campaign = Campaign.objects.select_related("brand").get(pk=data.campaign_id)
    manager = BrandMembershipFactory(
        brand=campaign.brand, role="manager", user__email="bench-manager@example.org"
    ).user
    # Hashed as production hashes (the test settings use MD5, which it does not accept).
    manager.password = PBKDF2PasswordHasher().encode(PASSWORD, "benchmanagersalt")
    manager.save(update_fields=["password"])
    started = time.perf_counter()
    figures = campaign_stats_refresh(campaign=campaign).figures
    say("dashboard figures refresh in the worker (campaign_stats_refresh)",
        time.perf_counter() - started, "s")  # fmt: skip
    note(
        f"{figures['votes']:,} votes by {figures['voters']:,} voters, "
        f"{figures['ideas']['total']:,} ideas, {len(figures['votes_per_day'])} days"
    )
    connection.close()  # the web workers get the database to themselves

    visitor = Visitor(services.port)
    _status, page = visitor.request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    form = {"login": manager.email, "password": PASSWORD, "csrfmiddlewaretoken": token and token[1]}
    status, _page = visitor.request("POST", "/accounts/login/", urlencode(form))
    if status != 302 or "sessionid" not in visitor.cookies:
        raise SystemExit(f"the brand manager could not log in (HTTP {status})")
    path = f"/campaigns/{data.slug}/dashboard/"
    for _ in range(3):  # warm: every web worker has loaded the page's code and templates
        visitor.request("GET", path)
    latencies, errors = [], 0
    started = time.perf_counter()
    for _ in range(DASHBOARD_REQUESTS):
        began = time.perf_counter()
        status, page = visitor.request("GET", path)
        latencies.append(time.perf_counter() - began)
        if status != 200 or 'data-figure="votes"' not in page:
            errors += 1
    latencies.sort()
    result = {
        "p50": 1000 * monitor.percentile(latencies, 0.50),
        "p99": 1000 * monitor.percentile(latencies, 0.99),
        "errors": errors,
        "requests": len(latencies),
        "elapsed": time.perf_counter() - started,
    }
    visitor.close()
    name = "brand dashboard (HTML)"
    say(f"{name}: p50 latency", round(result["p50"], 1), "ms")
    say(f"{name}: p99 latency", round(result["p99"], 1), "ms")
    say(f"{name}: errors (non-2xx, failed or no figures)", result["errors"])
    note(f"{result['requests']:,} requests one after another by one logged-in brand manager")
    return result


def recount(campaign_id: int) -> None:
    started = time.perf_counter()
    recounted = tally_recount_all()
    say("full recount of all votes (tally_recount_all)", time.perf_counter() - started, "s")
    note(f"{recounted:,} tallies recounted from {VOTES:,} vote rows")
    wrong = seed.tallies_differing(campaign_id)
    differing = seed.differing_from_workers()
    note(f"tallies differing from a fresh count of the vote rows: {wrong}")
    note(f"of 2,000 sampled tallies, differing from what tally_recompute writes: {differing}")
    if wrong or differing:
        raise SystemExit("the recount must equal the vote rows")
