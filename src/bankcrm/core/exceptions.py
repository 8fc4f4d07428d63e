class TransitionNotAllowed(Exception):
    """A state change that is not allowed now (API 409)."""
