"""Errors of the boards' write path, below services, loaders and views alike."""


class BoardError(Exception):
    """A write the user asked for cannot be done; ``message`` says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class NotAllowed(BoardError):
    """The user may not do this (views answer 403 or 404)."""
