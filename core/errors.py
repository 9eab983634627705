"""Errors raised by services. Every door (web page, API, admin) turns them into a clear
message with the right status; none of them ever becomes a 500."""


class ApplicationError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotAllowed(ApplicationError):
    """The account may not do this (unverified email, wrong role)."""

    status_code = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    """The action is valid in general but not in the object's current state (a closed
    voting window, a hidden idea)."""

    status_code = 409
    code = "conflict"


class Duplicate(Conflict):
    """The same thing exists already (an idea submitted twice): `existing` is the first
    one, which the doors link to (the page's form shows a link, the API returns its id and
    URL)."""

    code = "duplicate"

    def __init__(self, message: str, *, existing, code: str | None = None):
        super().__init__(message, code=code)
        self.existing = existing


class RateLimited(ApplicationError):
    """Too many writes of one kind in a short time (core.ratelimit). `retry_after` is the
    number of seconds until the next attempt can succeed: the doors send it as the
    Retry-After header of their 429."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after
