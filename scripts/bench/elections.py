"""Issue 11's figures: elections of BENCH_BALLOTS ballots per format, on their own database
(scripts/bench/elections_seed.py), each target with its figure and PASS or MISS.

In this process, each computation in a forked child whose peak resident memory (VmHWM) is
reset at its start (the figure is one computation's peak, as a Celery pool process would
hold it): per format, one live recompute from cold (no stored result or aggregate: what
beat's `results_drain_dirty` task does on the first tick), then TICK_BALLOTS new ballots
cast through the services (pairwise: answered through them) and the next tick; later the
final result with its audit chunks and digest, and `results_recount`. Over HTTP, against
the bench's gunicorn and Celery (scripts/bench/elections_http.py): ballots at full speed
on one election while votes go to an up/down campaign (tally lag, heartbeat), then the
audit pages (wrk) and the whole download of each closed election (the web workers' peak
RSS while it streams)."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connections

from campaigns.models import Campaign
from ideas.models import Idea
from scripts.bench import elections_http, elections_seed
from scripts.bench.elections_seed import BUDGET, FORMATS, Elections
from scripts.bench.knobs import (
    BALLOTS,
    ELECTION_FORMATS,
    ELECTIONS_DATABASE,
    ELECTIONS_KEEP,
    ELECTIONS_RESEED,
    TICK_BALLOTS,
)
from scripts.bench.report import Row, note, say
from scripts.bench.servers import Services, clear_redis
from voting import ballots, dirty, live_spacing, pairwise, tasks
from voting.formats import format_for
from voting.models import CampaignResult, PairwisePrompt
from voting.results import result_compute, result_recount

# Issue 11's targets: a live recompute under 1 s (3 s for ranked and pairwise), a tick of
# 1,000 new ballots under 100 ms, every computation under 200 MB, the final result and the
# recount under 20 s.
LIVE_TARGET = {"ranked-schulze": 3.0, "ranked-irv": 3.0, "pairwise": 3.0}
TICK_TARGET_S, MEMORY_TARGET_MB, FINAL_TARGET_S = 0.1, 200.0, 20.0


def measure(job) -> tuple[float, float, object]:
    """(seconds, peak MB, what job() returned, as JSON) of job() in a forked child with its
    own database connection."""
    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: reset the peak, run, report, leave without cleanup
        os.close(read)
        code = 0
        try:
            Path("/proc/self/clear_refs").write_text("5")
            started = time.perf_counter()
            value = job()
            seconds = time.perf_counter() - started
            status = Path("/proc/self/status").read_text().splitlines()
            peak = next(line for line in status if line.startswith("VmHWM"))
            answer = {"seconds": seconds, "peak": int(peak.split()[1]) / 1024, "value": value}
        except BaseException as error:  # reported to the parent, which stops the run
            answer, code = {"error": f"{error.__class__.__name__}: {error}"}, 1
        os.write(write, json.dumps(answer, default=str).encode())
        os._exit(code)
    os.close(write)
    output = b""
    while chunk := os.read(read, 65536):
        output += chunk
    os.close(read)
    os.waitpid(pid, 0)
    answer = json.loads(output or b'{"error": "the child died"}')
    if "error" in answer:
        raise SystemExit(f"a measured computation failed: {answer['error']}")
    return answer["seconds"], answer["peak"], answer["value"]


def _campaign(name: str) -> Campaign:
    return Campaign.objects.get(slug=f"election-{name}")


def _tick(campaign_id: int):
    """Beat's task, as beat runs it, for one marked campaign (its rest cut short: the
    spacing is measured by the load scenario, not here)."""
    live_spacing.rest(campaign_id, seconds=0.001)
    time.sleep(0.01)

    def job():
        return tasks.results_drain_dirty()

    return job


def _choices(name: str, elections: Elections, rng: random.Random) -> list[int]:
    ideas = list(elections.candidates[name])
    rng.shuffle(ideas)
    method = FORMATS[name][0]
    if method == "single":
        return ideas[:1]
    if method == "approval":
        return ideas[: rng.randint(1, elections_seed.APPROVAL_LIMIT)]
    if method == "ranked":
        return ideas[: 1 + int(rng.random() ** 2 * len(ideas))]
    chosen, spent = [], 0  # budget: as many as the budget allows
    for idea in ideas:
        if spent + elections.costs[idea] <= BUDGET:
            chosen.append(idea)
            spent += elections.costs[idea]
    return chosen


def cast_new_ballots(name: str, elections: Elections, count: int) -> float:
    """`count` load voters cast a ballot (pairwise: answer a pair) through the services;
    the seconds it took."""
    campaign, rng = _campaign(name), random.Random(count)
    voters = list(
        get_user_model().objects.filter(pk__gte=elections.first_load_voter).order_by("pk")[:count]
    )
    started = time.perf_counter()
    if FORMATS[name][0] == "pairwise":
        # Pairs issued in one statement: pairwise_issue counts every answered comparison of
        # the campaign per call (timed once below); the answers go through the service.
        ideas = elections.candidates[name]
        prompts = PairwisePrompt.objects.bulk_create(
            PairwisePrompt(campaign=campaign, voter=voter, left_id=left, right_id=right,
                           token=f"bench-{voter.pk}-{rng.random()}")
            for voter in voters for left, right in [rng.sample(ideas, 2)]
        )  # fmt: skip
        for voter, prompt in zip(voters, prompts, strict=True):
            outcome = rng.choice(["left", "left", "right", "skip"])
            pairwise.pairwise_answer(voter=voter, token=prompt.token, outcome=outcome)
        return time.perf_counter() - started
    for voter in voters:
        choices = _choices(name, elections, rng)
        ballots.ballot_submit(voter=voter, campaign=campaign, choices=choices)
    return time.perf_counter() - started


def _full_count(slug: str):
    """The format's live result counted from every ballot (voting/ballot_counts.py): what a
    recompute without the incremental aggregate costs, and what checks the aggregate."""

    def job():
        campaign = Campaign.objects.get(slug=slug)
        candidates = list(
            Idea.objects.visible().filter(campaign=campaign).order_by("pk")
            .values_list("pk", flat=True)
        )  # fmt: skip
        return format_for(campaign).live_result(campaign=campaign, candidates=candidates)[2]

    return job


def live_figures(name: str, elections: Elections) -> dict:
    campaign = _campaign(name)
    full = measure(_full_count(campaign.slug))
    dirty.mark_campaign_dirty(campaign.pk)
    first = measure(_tick(campaign.pk))
    cast = cast_new_ballots(name, elections, TICK_BALLOTS)
    tick = measure(_tick(campaign.pk))
    figure = {"live": full[:2], "first": first[:2], "tick": tick[:2]}
    say(f"{name}: live recompute, every ballot counted in SQL", full[0], "s")
    say(f"{name}: first tick (results_drain_dirty; builds any aggregate)", first[0], "s")
    say(f"{name}: tick after {TICK_BALLOTS:,} new ballots", tick[0] * 1000, "ms")
    note(
        f"peak RSS {full[1]:.0f} / {first[1]:.0f} / {tick[1]:.0f} MB; {full[2]:,} counted; "
        f"campaigns recomputed by the ticks {first[2]} / {tick[2]}; the {TICK_BALLOTS:,} "
        f"ballots took {cast:.1f} s through the services"
    )
    if not (first[2] and tick[2]):
        note("a tick recomputed nothing: the figure is not a recompute")
    if FORMATS[name][0] == "pairwise":
        voter = get_user_model().objects.get(pk=elections.first_load_voter)
        started = time.perf_counter()
        pairwise.pairwise_issue(voter=voter, campaign=campaign)
        note(f"one pair issued by pairwise_issue in {time.perf_counter() - started:.2f} s")
    return figure


def final_figures(name: str) -> dict:
    slug = f"election-{name}"

    def final():
        result = result_compute(campaign=Campaign.objects.get(slug=slug), final=True)
        return [result.digest, result.ballot_count]

    def recount():
        _ranking, counted, digest, entries = result_recount(
            campaign=Campaign.objects.get(slug=slug)
        )
        return [digest, counted, entries]

    final_s, final_mb, (digest, counted) = measure(final)
    recount_s, recount_mb, (recount_digest, _counted, entries) = measure(recount)
    same = recount_digest == digest and digest == CampaignResult.objects.get(
        campaign__slug=slug).digest  # fmt: skip
    say(f"{name}: final result with its audit chunks and digest", final_s, "s")
    say(f"{name}: results_recount (streamed digest)", recount_s, "s")
    note(
        f"peak RSS {final_mb:.0f} MB / {recount_mb:.0f} MB; {counted:,} counted, {entries:,} "
        f"audit entries; the recount's digest {'equals' if same else 'DIFFERS FROM'} the result's"
    )
    return {"final": (final_s, final_mb), "recount": (recount_s, recount_mb), "same": same}


def _verdict(passed: bool | None) -> str:
    return "n/a" if passed is None else "PASS" if passed else "**MISS**"


def target_rows(figures: dict, load: dict) -> list[Row]:
    rows = []
    for name, figure in figures.items():
        (live_s, live_mb), (first_s, first_mb) = figure["live"], figure["first"]
        tick_s, tick_mb = figure["tick"]
        limit = LIVE_TARGET.get(name, 1.0)
        peak = max(live_mb, first_mb, tick_mb)
        rows += [
            Row(f"{name}: live recompute (full count) < {limit:.0f} s", live_s < limit,
                f"{live_s:.2f} s"),
            Row(f"  ... first tick (builds the aggregate) < {limit:.0f} s", first_s < limit,
                f"{first_s:.2f} s"),
            Row(f"  ... tick with {TICK_BALLOTS:,} new ballots < 100 ms",
                tick_s < TICK_TARGET_S, f"{tick_s * 1000:.0f} ms"),
            Row("  ... worker peak memory < 200 MB", peak < MEMORY_TARGET_MB,
                f"{peak:.0f} MB (full {live_mb:.0f}, first {first_mb:.0f}, tick {tick_mb:.0f})"),
        ]  # fmt: skip
        if "final" in figure:
            (final_s, final_mb), (recount_s, recount_mb) = figure["final"], figure["recount"]
            rows += [
                Row("  ... final result with digest < 20 s, < 200 MB",
                    final_s < FINAL_TARGET_S and final_mb < MEMORY_TARGET_MB,
                    f"{final_s:.1f} s, {final_mb:.0f} MB"),
                Row("  ... results_recount < 20 s, < 200 MB, same digest",
                    recount_s < FINAL_TARGET_S and recount_mb < MEMORY_TARGET_MB
                    and figure["same"],
                    f"{recount_s:.1f} s, {recount_mb:.0f} MB"
                    + ("" if figure["same"] else ", digest differs")),
            ]  # fmt: skip
        if "audit" in figure:
            audit = figure["audit"]
            rows += [
                Row("  ... a page of /audit/ p99 < 100 ms", audit["p99"] < 100
                    and not audit["errors"], f"p50 {audit['p50']:.1f} ms, p99 "
                    f"{audit['p99']:.1f} ms, {audit['rate']:,.0f}/s, {audit['pages']} pages"),
                Row("  ... whole audit downloaded, server RSS < 200 MB",
                    audit["download_mb"] < MEMORY_TARGET_MB and audit["download_ok"],
                    f"{audit['download_bytes'] / 2**20:.1f} MB gzip in "
                    f"{audit['download_s']:.1f} s; web worker peak {audit['download_mb']:.0f} "
                    f"MB (from {audit['before_mb']:.0f})"),
            ]  # fmt: skip
    rows += elections_http.load_rows(load)
    return rows


def print_format_table(figures: dict) -> None:
    """The per-format figures as one markdown table (for docs/performance.md)."""
    print(
        f"\n| format ({BALLOTS:,} ballots) | live recompute (full count) | first tick "
        f"| tick, {TICK_BALLOTS:,} new | peak MB (full / first / tick) | final + digest "
        "| recount | /audit/ page p99 | download (web peak RSS) |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    for name, figure in figures.items():
        limit = LIVE_TARGET.get(name, 1.0)
        (live_s, live_mb), (first_s, first_mb) = figure["live"], figure["first"]
        tick_s, tick_mb = figure["tick"]
        peak = max(live_mb, first_mb, tick_mb)
        cells = [
            f"{live_s:.2f} s {_verdict(live_s < limit)}",
            f"{first_s:.2f} s {_verdict(first_s < limit)}",
            f"{tick_s * 1000:.0f} ms {_verdict(tick_s < TICK_TARGET_S)}",
            f"{live_mb:.0f} / {first_mb:.0f} / {tick_mb:.0f} {_verdict(peak < MEMORY_TARGET_MB)}",
        ]
        for key in ("final", "recount"):
            if key in figure:
                seconds, megabytes = figure[key]
                passed = seconds < FINAL_TARGET_S and megabytes < MEMORY_TARGET_MB
                cells.append(f"{seconds:.1f} s, {megabytes:.0f} MB {_verdict(passed)}")
            else:
                cells.append("—")
        audit = figure.get("audit")
        if audit:
            cells.append(f"{audit['p99']:.1f} ms {_verdict(audit['p99'] < 100)}")
            cells.append(
                f"{audit['download_s']:.1f} s, {audit['download_mb']:.0f} MB "
                f"{_verdict(audit['download_mb'] < MEMORY_TARGET_MB)}"
            )
        else:
            cells += ["—", "—"]
        print(f"| {name} | " + " | ".join(cells) + " |")


def run(wrk_binary: str | None) -> list[Row]:
    """The whole elections section; its rows for the summary."""
    clear_redis()
    elections = elections_seed.prepare(reseed=ELECTIONS_RESEED)
    names = [name for name in ELECTION_FORMATS if name in FORMATS]
    services = Services()
    figures: dict[str, dict] = {}
    load: dict = {}
    try:
        print(f"\nLive results, {BALLOTS:,} ballots a format (forked children, no load):")
        # A Celery process has run tasks before: the app finalised and the code imported,
        # which the first call would otherwise charge to the first figure.
        tasks.results_drain_dirty()
        for name in names:
            figures[name] = live_figures(name, elections)
        if wrk_binary:
            print("\nBallots at full speed on one election, votes on an up/down campaign:")
            services.start()
            load = elections_http.load_scenario(elections, services, wrk_binary)
            services.stop_worker()
        print("\nFinal results and recounts (forked children):")
        for name in names:
            figures[name].update(final_figures(name))
        if wrk_binary:
            print("\nThe audit lists over HTTP (campaigns closed):")
            elections_http.close_campaigns([_campaign(name).pk for name in names])
            for name in names:
                figures[name]["audit"] = elections_http.audit_figures(name, services, wrk_binary)
    finally:
        services.stop()
        connections.close_all()
        clear_redis()
        if ELECTIONS_KEEP:
            elections_seed.reset()  # the next run finds the seeded state
            connections.close_all()
        else:
            elections_seed.database_drop()
            note(f"{ELECTIONS_DATABASE} dropped (BENCH_ELECTIONS_KEEP=0)")
    rows = target_rows(figures, load)
    print_format_table(figures)
    return rows
