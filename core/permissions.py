"""Rules that say why (docs/decisions/0013-rules-with-reasons.md).

A `Rule` is declared once: a stable `code`, the `message` a refused person reads, and a
test on (user, obj). A `Permission` is an ordered list of rules; the first rule that fails
is the reason. The same declaration answers both questions:

- "may I?": a `Rule` and a `Permission` are `rules` predicates, so they go to
  `rules.add_perm`, `{% has_perm %}`, DRF permissions and the admin, and combine with
  `&`, `|` and `~` like any predicate (a combination is a plain predicate: it says yes or
  no, not why);
- "why not?": `permission.check(user, obj)` raises the first failing rule's error
  (`core.errors`: its class gives the HTTP status, `code` and `message` the body), and
  `permission.why_not(user, obj)` returns its message for a page to show before anyone
  tries.

The same rule in SQL: a rule may carry `q`, a `Condition` saying the same as its test in
SQL over the rows of the statement that asks (docs/decisions/0014-votes-in-one-statement.md),
so that one statement checks every rule and writes (`INSERT ... SELECT ... WHERE <the
rules' conditions>`), and the Python tests run only to explain a refusal. A permission all
of whose rules carry one gives their conjunction (`permission.condition()`). A condition
must hold exactly where its test holds; the agreement tests assert it cell by cell.
"""

from collections.abc import Callable
from typing import Any

import rules

from core.errors import ApplicationError, NotAllowed

# A message is a (lazy) string, or a function of the object for a message with figures in
# it ("open to accounts at least 30 days old").
Message = Any
# `Rule.of` without `q`: the rule keeps its own condition (see `Rule.of`).
_SAME = object()


class Condition:
    """A rule's test as a SQL boolean expression. It names the rows of the statement that
    asks by their role, not by table (`voter`, `campaign`, `idea`: the statement joins
    them under these names), and takes `%(name)s` placeholders: the statement's own
    values (`now`, a timestamp given by the statement so that every rule sees the same
    moment) and the condition's `params`, each a value or a function called when the
    statement is built (a registry read there is current). NULL counts as false."""

    def __init__(self, sql: str, **params: Any):
        self.sql = sql
        self.params = params

    def values(self) -> dict[str, Any]:
        return {name: value() if callable(value) else value for name, value in self.params.items()}

    @classmethod
    def all(cls, *conditions: "Condition") -> "Condition":
        """True where every one of `conditions` is (a placeholder used by several means
        the same value in each)."""
        params: dict[str, Any] = {}
        for condition in conditions:
            params.update(condition.params)
        return cls(" AND ".join(f"({condition.sql})" for condition in conditions), **params)

    def __repr__(self) -> str:
        return f"Condition({self.sql!r})"


class Rule(rules.Predicate):
    """One condition with its reason. `test(user, obj)` says whether it holds; `error` is
    the `core.errors` class raised when it does not (NotAllowed: 403, Conflict: 409), with
    `code` and `message`. `name` tells apart rules that share a code (several rules keep
    the generic "permission_denied" or "conflict" the API has always returned); it
    defaults to the code. `q`, if given, is the same test as a SQL `Condition` (a string
    is a condition without parameters)."""

    def __init__(
        self,
        code: str,
        message: Message,
        test: Callable[[Any, Any], bool],
        *,
        error: type[ApplicationError] = NotAllowed,
        name: str | None = None,
        q=None,
    ):
        self.code = code
        self.message = message
        self.error = error
        self.rule_name = name or code
        self.q = Condition(q) if isinstance(q, str) else q
        # A `rules` predicate is asked through `test`, which passes it only the arguments
        # it takes (`is_verified(user)` as well as `is_idea_author(user, idea)`).
        self._test = test.test if isinstance(test, rules.Predicate) else test
        super().__init__(self._holds, name=self.rule_name)

    def _holds(self, user, obj=None) -> bool:
        return bool(self._test(user, obj))

    def message_for(self, obj) -> str:
        return str(self.message(obj) if callable(self.message) else self.message)

    def refusal(self, obj) -> ApplicationError:
        """The error this rule raises when it fails for `obj`."""
        error = self.error(self.message_for(obj), code=self.code)
        error.rule = self
        return error

    def check(self, user, obj=None) -> None:
        if not self._holds(user, obj):
            raise self.refusal(obj)

    def of(self, related: Callable[[Any], Any], *, q=_SAME) -> "Rule":
        """The same rule asked about an object reached from the one given (a campaign's
        rule asked about an idea: `rule.of(lambda idea: idea.campaign)`). A condition names
        rows by role, and a statement about an idea joins its campaign as `campaign`: the
        rule keeps its own condition unless `q` gives another."""
        if q is _SAME:
            q = self.q

        def test(user, obj):
            return obj is not None and self._test(user, related(obj))

        message = self.message
        if callable(message):
            message = lambda obj: self.message(related(obj))  # noqa: E731

        return Rule(self.code, message, test, error=self.error, name=self.rule_name, q=q)


class Permission(rules.Predicate):
    """An ordered list of rules, all of which must hold; the first that fails is the
    reason. A predicate itself (true when every rule holds)."""

    def __init__(self, name: str, *rules_: Rule):
        self.rules = tuple(rules_)
        super().__init__(self._allows, name=name)

    def _allows(self, user, obj=None) -> bool:
        return self.failing_rule(user, obj) is None

    def failing_rule(self, user, obj=None) -> Rule | None:
        """The first rule that does not hold, or None."""
        for rule in self.rules:
            if not rule._holds(user, obj):
                return rule
        return None

    def refusal(self, user, obj=None) -> ApplicationError | None:
        """The error `check` would raise, or None."""
        rule = self.failing_rule(user, obj)
        return None if rule is None else rule.refusal(obj)

    def check(self, user, obj=None) -> None:
        """Raise the first failing rule's error; return if every rule holds."""
        rule = self.failing_rule(user, obj)
        if rule is not None:
            raise rule.refusal(obj)

    def why_not(self, user, obj=None) -> str:
        """The first failing rule's message, or "" when the permission holds."""
        rule = self.failing_rule(user, obj)
        return "" if rule is None else rule.message_for(obj)

    def condition(self) -> Condition:
        """Every rule's condition, joined by AND: the SQL that holds exactly where the
        permission does. ValueError if a rule has none."""
        missing = [rule.rule_name for rule in self.rules if rule.q is None]
        if missing:
            raise ValueError(f"{self.name}: no SQL condition for {', '.join(missing)}")
        return Condition.all(*(rule.q for rule in self.rules))

    @property
    def codes(self) -> set[str]:
        return {rule.code for rule in self.rules}

    def __add__(self, other: "Permission | Rule") -> "Permission":
        """This permission's rules followed by `other`'s (a rule or a permission)."""
        more = other.rules if isinstance(other, Permission) else (other,)
        return Permission(f"{self.name}+{other.name}", *self.rules, *more)
