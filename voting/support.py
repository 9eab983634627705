"""Supporter thresholds (LEGO Ideas style): stages of (supporters, days) reached in turn."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class SupportState:
    stage: int  # stages reached so far
    status: str  # active, expired, review
    deadline: datetime | None  # when the next stage must be reached
    events: list[tuple[str, int]] = field(default_factory=list)  # ("stage"|"review"|"expired", n)


def first_deadline(*, stages: list[list[int]], published_at: datetime) -> datetime | None:
    return published_at + timedelta(days=stages[0][1]) if stages else None


def support_advance(
    *,
    stages: list[list[int]],
    supporters: int,
    state: SupportState,
    published_at: datetime,
    now: datetime,
) -> SupportState:
    """The new state after counting `supporters`. A stage reached starts the next stage's
    window from `now`; reaching the last stage sends the idea to brand review; an active
    idea past its deadline without reaching the stage expires. Expired and in-review ideas
    do not change (support is refused for them, see voting.rules)."""
    if not stages or state.status != "active":
        return state
    stage, status = state.stage, state.status
    deadline = state.deadline or first_deadline(stages=stages, published_at=published_at)
    events: list[tuple[str, int]] = []
    while status == "active" and stage < len(stages) and supporters >= stages[stage][0]:
        stage += 1
        events.append(("stage", stages[stage - 1][0]))
        if stage < len(stages):
            deadline = now + timedelta(days=stages[stage][1])
        else:
            status, deadline = "review", None
            events.append(("review", stages[-1][0]))
    if status == "active" and deadline is not None and deadline <= now:
        status = "expired"
        events.append(("expired", stages[stage][0]))
    return SupportState(stage=stage, status=status, deadline=deadline, events=events)


def support_remaining(*, stages: list[list[int]], supporters: int, stage: int) -> int | None:
    """Supporters still needed for the next stage, or None when no stage is left."""
    if stage >= len(stages):
        return None
    return max(0, stages[stage][0] - supporters)
