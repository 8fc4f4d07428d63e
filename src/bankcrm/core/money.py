"""Money and rates: integer cents in storage and arithmetic, Decimal yuan at the edges (DESIGN rule 10).

The one place cents become yuan and back, and where a share becomes a percentage, so every page,
export and API rounds the same way (half-up, 2 decimals, as the specs say).
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(value) -> int:
    """CNY amount (str/Decimal/int) -> integer cents, exactly (no float ever touches a balance)."""
    return int((Decimal(str(value)) * 100).to_integral_value())


def cents_to_yuan(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(CENT)


def percent(part, whole) -> Decimal | None:
    """part ÷ whole × 100, half-up to 2 decimals; None (shown as empty) when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def to_wan(amount: Decimal | None) -> float:
    """CNY → 万元 for chart axes only (tables show the exact Decimal)."""
    return float(((amount or Decimal(0)) / 10000).quantize(CENT))
