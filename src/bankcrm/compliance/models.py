"""The compliance desk's own records (the access log it reads lives in core: every app writes it)."""
