"""How the benchmark prints: one figure a line (kept for the summary), notes under them,
and at the end every target of issue 10 with its figure and PASS or MISS, then the same
as a markdown table to paste into docs/performance.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

figures: dict[str, float | None] = {}


def say(name: str, value: float | None, unit: str = "") -> None:
    """One figure, one line."""
    figures[name] = value
    if value is None:
        shown = "n/a"
    elif isinstance(value, int):
        shown = f"{value:,d}"
    else:
        shown = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    print(f"{name:<64} {shown:>10} {unit}".rstrip(), flush=True)


def note(text: str) -> None:
    print(f"  ({text})", flush=True)


@dataclass
class Row:
    target: str
    passed: bool | None  # None: not measured in this run
    measured: str


def _rate(figure: dict | None) -> str:
    if not figure:
        return "not measured"
    rounds = " / ".join(f"{rate:,.0f}" for rate in figure["rates"])
    return f"{figure['rate']:,.0f}/s (rounds {rounds})"


def target_rows(medians: dict, *, lag_p99, recount_s, web_peak, worker_peak) -> list[Row]:
    """Issue 10's targets, in its order, from the medians of the rounds."""
    spread, hot = medians.get("vote-spread"), medians.get("vote-hot")
    page, deep = medians.get("page-1"), medians.get("page-deep")
    api, tps = medians.get("api-list"), medians.get("pgbench", {}).get("rate")

    def check(condition) -> bool | None:
        try:
            return bool(condition())
        except (TypeError, KeyError, ZeroDivisionError):
            return None

    def ratio(top: dict | None, bottom: dict | None) -> float | None:
        return top["rate"] / bottom["rate"] if top and bottom and bottom["rate"] else None

    share = check(lambda: spread["rate"] / tps >= 0.15)
    hot_share, deep_share = ratio(hot, spread), ratio(deep, page)
    rows = [
        Row("votes over HTTP, 8 connections: >= 1,000/s", check(lambda: spread["rate"] >= 1000),
            _rate(spread)),
        Row("  ... about 15 % of pgbench's rate", share,
            f"{spread['rate'] / tps:.1%} of {tps:,.0f} tps" if spread and tps else "not measured"),
        Row("  ... p99 < 50 ms (spread and hot)",
            check(lambda: spread["p99"] < 50 and hot["p99"] < 50),
            f"{spread['p99']:.1f} ms / {hot['p99']:.1f} ms" if spread and hot else "not measured"),
        Row("  ... hot idea within 10 % of spread", check(lambda: hot_share >= 0.9),
            f"{hot_share:.0%} ({hot['rate']:,.0f}/s)" if hot_share is not None else "not measured"),
        Row("  ... server CPU per vote < 1.5 ms", check(lambda: spread["web_ms"] < 1.5),
            f"{spread['web_ms']:.2f} ms web (+ {spread['postgres_ms']:.2f} ms PostgreSQL)"
            if spread else "not measured"),
        Row("campaign page (HTML, 50 ideas): >= 300/s", check(lambda: page["rate"] >= 300),
            _rate(page)),
        Row("  ... p99 < 50 ms", check(lambda: page["p99"] < 50),
            f"{page['p99']:.1f} ms" if page else "not measured"),
        Row("ranked API list (50 a page): >= 600/s", check(lambda: api["rate"] >= 600),
            _rate(api)),
        Row("deep campaign page within 20 % of page 1", check(lambda: deep_share >= 0.8),
            f"{deep_share:.0%} ({deep['rate']:,.0f}/s, p99 {deep['p99']:.1f} ms)"
            if deep_share is not None else "not measured"),
        Row("tally lag p99 during the vote load < 2 s", check(lambda: lag_p99 < 2),
            "no sample" if lag_p99 is None else f"{lag_p99:.2f} s"),
        Row("full recount of the votes < 10 s", check(lambda: recount_s < 10),
            "not measured" if recount_s is None else f"{recount_s:.1f} s"),
        Row("memory < 200 MB per process: gunicorn worker", check(lambda: web_peak < 200),
            f"{web_peak:.0f} MB peak RSS"),
        Row("  ... Celery process", check(lambda: worker_peak < 200),
            f"{worker_peak:.0f} MB peak RSS"),
    ]  # fmt: skip
    return rows


def print_summary(
    rows: list[Row], *, machine: str, knobs: str, measured: str = "measured (median of the rounds)"
) -> None:
    def verdict(row: Row) -> str:
        return "n/a" if row.passed is None else "PASS" if row.passed else "MISS"

    print(f"\n{'target':<50}{'result':>6}  measured")
    for row in rows:
        print(f"{row.target:<50}{verdict(row):>6}  {row.measured}", flush=True)
    print(f"\nMarkdown for docs/performance.md ({date.today():%Y-%m-%d}; {knobs}; {machine}):\n")
    print(f"| target | {measured} | result |\n|---|---|---|")
    for row in rows:
        target = row.target.replace("  ... ", "… ")
        print(
            f"| {target} | {row.measured} | {'**MISS**' if row.passed is False else verdict(row)} |"
        )


def print_scenario_table(names: dict[str, str], medians: dict[str, dict]) -> None:
    """Each scenario's medians as a markdown table (after the targets' one)."""
    print(
        "\n| scenario (median of the rounds) | rate | p50 | p99 | web CPU a request "
        "| PostgreSQL CPU a request | rounds |\n|---|---|---|---|---|---|---|"
    )
    for key, figure in medians.items():
        rounds = " / ".join(f"{rate:,.0f}" for rate in figure["rates"])
        if key == "pgbench":
            print(
                f"| {names[key]} | {figure['rate']:,.0f} tps | — | — | — "
                f"| {figure['postgres_ms']:.2f} ms | {rounds} |"
            )
            continue
        print(
            f"| {names[key]} | {figure['rate']:,.0f}/s | {figure['p50']:.1f} ms "
            f"| {figure['p99']:.1f} ms | {figure['web_ms']:.2f} ms "
            f"| {figure['postgres_ms']:.2f} ms | {rounds} |"
        )
