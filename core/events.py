"""Events: how a service tells the apps above it that something happened without importing
them (docs/architecture.md, "the path of an event").

A service calls `emit("idea.published", idea_id=..., ...)` after its write; apps higher in
the layering (notifications, rewards, voting's results...) subscribe with `@receiver_for`
in their `receivers.py`, which core/apps.py imports for every app. Receivers run
synchronously, in the caller's transaction and in the order their apps are installed: a
receiver that must not delay or fail the write enqueues a Celery task with
`transaction.on_commit` instead of working inline.

Payloads of `emit` are plain values (ids, codes, short texts), never model instances: a
receiver reads what it needs, and the same payload can be handed to a task unchanged.
`ask` (a question, answered inline during a write) may pass the objects being checked.

A receiver may return a number (how many people it told, how many rows it wrote): the
emitter finds the answers on the returned event (`event.answers`, `event.total()`), e.g.
the lifecycle's effects task reports how many people a step told. The table of kinds,
payloads and receivers is docs/events.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

Receiver = Callable[["Event"], Any]

_receivers: dict[str, list[Receiver]] = defaultdict(list)


@dataclass(frozen=True)
class Event:
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    # What each receiver returned, in the order they ran (filled by `emit`).
    answers: list[Any] = field(default_factory=list, compare=False, repr=False)

    def __getitem__(self, name: str) -> Any:
        return self.payload[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.payload.get(name, default)

    def total(self) -> int:
        """The sum of the receivers' numeric answers (None and other answers count 0)."""
        return sum(
            answer
            for answer in self.answers
            if isinstance(answer, int) and not isinstance(answer, bool)
        )


def receiver_for(*kinds: str) -> Callable[[Receiver], Receiver]:
    """Subscribe the decorated function to events of these kinds (once, however often the
    module is imported)."""

    def register(function: Receiver) -> Receiver:
        for kind in kinds:
            if function not in _receivers[kind]:
                _receivers[kind].append(function)
        return function

    return register


def emit(kind: str, /, **payload: Any) -> Event:
    """Hand the event to every receiver of its kind, in order; their errors propagate (the
    caller's transaction rolls back with them)."""
    event = Event(kind, payload)
    for function in list(_receivers.get(kind, ())):
        event.answers.append(function(event))
    return event


def disconnect(function: Receiver, *kinds: str) -> list[str]:
    """Unsubscribe `function` from these kinds (every kind if none is named); returns the
    kinds it left, so a test can subscribe it again with `receiver_for(*kinds)(function)`."""
    left = []
    for kind in kinds or list(_receivers):
        if function in _receivers.get(kind, ()):
            _receivers[kind].remove(function)
            left.append(kind)
    return left


@contextmanager
def without(*functions: Receiver) -> Iterator[None]:
    """Within the block these receivers are not called; afterwards every kind has exactly
    the receivers it had, in their order (tests: what happens when an app does not listen;
    a spy subscribed inside the block is gone after it)."""
    saved = {kind: list(functions_of_kind) for kind, functions_of_kind in _receivers.items()}
    for function in functions:
        disconnect(function)
    try:
        yield
    finally:
        for kind in list(_receivers):
            _receivers[kind] = saved.get(kind, [])


def ask(kind: str, /, **payload: Any) -> list[Any]:
    """Like `emit`, but return what each receiver answers: how a lower app asks a question
    that only a higher one can answer (ideas asks the campaign's voting format whether an
    idea's cost is valid). An empty list: nobody above knows."""
    event = Event(kind, payload)
    return [function(event) for function in list(_receivers.get(kind, ()))]


def receivers(kind: str) -> list[Receiver]:
    """Who listens to `kind` (for tests and docs/architecture.md's event table)."""
    return list(_receivers.get(kind, ()))
