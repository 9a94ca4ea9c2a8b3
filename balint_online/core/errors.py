"""Domain errors raised by services; the API and the pages each turn them into their own answers."""


class DomainError(Exception):
    """A request the current state does not allow (HTTP 409 in the API)."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra


class InvalidInput(DomainError):
    """Input that breaks a rule of the domain (HTTP 422), with the fields at fault."""

    status = 422
    code = "validation_failed"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """Something the caller may not know exists (a draft, another person's application): 404, as
    for an id that matches nothing, so that answers never reveal which ids are taken."""

    status = 404
    code = "not_found"
