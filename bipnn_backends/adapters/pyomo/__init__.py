"""pyomo adapter (in progress)."""


def register() -> None:
    """Placeholder until the adapter lands."""
