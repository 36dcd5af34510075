"""The one exception runners raise to say "this solver does not run on this instance"."""


class Skip(Exception):
    """The solver does not run on this instance (too large, not installed, engine absent, ...)."""
