"""How the benchmark prints: one figure a line (kept for the summary), notes under them."""

from __future__ import annotations

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
    print(f"{name:<58} {shown:>10} {unit}".rstrip(), flush=True)


def note(text: str) -> None:
    print(f"  ({text})", flush=True)
