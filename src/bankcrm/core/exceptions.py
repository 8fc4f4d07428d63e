class TransitionNotAllowed(Exception):
    """A state change that is not allowed now (API 409).

    The message is for people (translated, with labels); ``codes`` optionally carries the same
    facts as codes for API clients (e.g. ``{"status": "closed", "allowed": []}``), which the API
    adds beside ``detail`` so a program need not parse a sentence in the user's language.
    """

    def __init__(self, message="", *, codes: dict | None = None):
        super().__init__(message)
        self.codes = codes or {}
