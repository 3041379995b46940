"""Errors raised by the rules, each carrying one French sentence for the user.

RuleError(ValueError)
├── InvalidPeriod        end before start, range too long, date outside the tables
├── InvalidHours         hours a day or a week out of bounds
├── UnknownProgramme     programme identifier not in the profiles
└── UnknownValue         any other value outside its allowed set (age, contract, year…)
"""


class RuleError(ValueError):
    """A rule cannot be applied to these inputs; ``str(err)`` is a French sentence."""


class InvalidPeriod(RuleError):
    """The dates given do not form a period the rules can handle."""


class InvalidHours(RuleError):
    """An hour volume is out of its legal or plausible bounds."""


class UnknownProgramme(RuleError):
    """The programme identifier is not one of the known profiles."""


class UnknownValue(RuleError):
    """A value is outside its allowed set."""
