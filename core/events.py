"""Events: how a service tells the apps above it that something happened without importing
them (docs/architecture.md, "the path of an event").

A service calls `emit("idea.published", idea_id=..., ...)` after its write; apps higher in
the layering (notifications, rewards, voting's results...) subscribe with `@receiver_for`
in a module their `AppConfig.ready()` imports. Receivers run synchronously, in the caller's
transaction and in the order their apps are installed: a receiver that must not delay or
fail the write enqueues a Celery task with `transaction.on_commit` instead of working inline.

Payloads are plain values (ids, codes, short texts), never model instances: a receiver
reads what it needs, and the same payload can be handed to a task unchanged.

A receiver may return a number (how many people it told, how many rows it wrote): the
emitter finds the answers on the returned event (`event.answers`, `event.total()`), e.g.
the lifecycle's effects task reports how many people a step told. The table of kinds,
payloads and receivers is docs/events.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
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


def receivers(kind: str) -> list[Receiver]:
    """Who listens to `kind` (for tests and docs/architecture.md's event table)."""
    return list(_receivers.get(kind, ()))
