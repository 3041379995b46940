"""The mail fixtures (Dovecot, aiosmtpd) for the end-to-end offer test."""

from tests.mail.conftest import dovecot, smtp

__all__ = ["dovecot", "smtp"]
