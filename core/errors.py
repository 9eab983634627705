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
