"""Money helpers: amounts are ``Decimal`` rounded to the cent, half up as payslips do."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
NARROW_NBSP = "\u202f"  # French thousands separator


def cents(amount: Decimal) -> Decimal:
    """Round an amount to the cent, half up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def fr_amount(amount: Decimal) -> str:
    """Format an amount the French way: ``1 948,80 €``."""
    q = cents(amount)
    whole, _, frac = f"{q:,.2f}".partition(".")
    return whole.replace(",", NARROW_NBSP) + "," + frac + " €"


def fr_number(value: Decimal | float | int) -> str:
    """Format a number the French way, without trailing zeros: ``4,5`` or ``448``."""
    d = Decimal(str(value))
    text = format(d.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def fr_int(value: int) -> str:
    """A whole number with French thousands separators: ``2 000 000``."""
    return f"{value:,}".replace(",", NARROW_NBSP)
