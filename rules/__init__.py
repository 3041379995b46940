"""Pure French internship and work-study rules: no I/O, no clock; "today" is always a parameter.

Every legal or programme figure lives in a dated table with its source beside it.
"""
