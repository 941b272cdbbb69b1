"""The one error root. Every error modemd raises on purpose is a ModemdError."""


class ModemdError(Exception):
    """Base of every error modemd raises on purpose."""


class InvalidInputError(ModemdError, ValueError):
    """Input that cannot be used as given, e.g. text no alphabet can carry or a bad number.

    The message says what was wrong and what to do.
    """
