"""Sending over SMTP with every reply read by its class (RFC 5321 §4.2.1), per recipient.

``Outbox.send`` runs one mail transaction and returns an ``Outcome`` for each recipient; it never
raises for what a server answers or for a lost connection:

    2xx  ACCEPTED     the server took it for this recipient
    4xx  TEMPORARY    try again later (greylisting, 421 service closing, 451, 452…); also a server
                      that cannot be reached or drops the connection before the message is sent
    5xx  PERMANENT    final for this recipient (550 unknown user…): kept, listed, retried on demand
         UNCERTAIN    the connection was lost after the message itself was sent: it may have left

A refusal at MAIL or DATA applies to every recipient still in the transaction; at RCPT, to that
recipient only, so the others go on. A failure to connect, greet, start TLS or log in is temporary
for everyone, even with a 5xx (a wrong password or a closed port is the configuration's fault, not
the mail's; the service logs it at WARNING and keeps the mail queued).

``SmtpOutbox`` is the real adapter (aiosmtplib), tested against aiosmtpd scripted to refuse at each
step (tests/servers.py).
"""

import contextlib
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import aiosmtplib

from bot.errors import network_reason
from bot.mail.headers import clean
from bot.settings import MailSettings

log = logging.getLogger("stagebot.mail")


class Verdict(StrEnum):
    """What became of one recipient of one transaction."""

    ACCEPTED = "accepted"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class Outcome:
    """One recipient's fate: the verdict, the reply code (None without one), the step, the words."""

    verdict: Verdict
    code: int | None
    step: str  # connect, mail, rcpt, data
    text: str

    def describe(self) -> str:
        """French, for the audit log and ``mail status``."""
        code = f"{self.code} " if self.code else ""
        return f"{code}à l'étape {self.step.upper()} : {self.text}".strip()


def by_code(code: int | None) -> Verdict:
    """The class of an SMTP reply code; no code (a lost connection) is temporary."""
    if code is not None and 200 <= code < 400:
        return Verdict.ACCEPTED
    if code is not None and 500 <= code < 600:
        return Verdict.PERMANENT
    return Verdict.TEMPORARY


class Outbox(Protocol):
    """Where the mail service sends: the real SMTP adapter or a test double."""

    async def send(self, sender: str, recipients: Sequence[str], data: bytes) -> dict[str, Outcome]:
        """One transaction; an outcome for every recipient."""
        ...

    async def close(self) -> None:
        """Quit politely."""
        ...


def _every(verdict: Verdict, code: int | None, step: str, text: str, who: Sequence[str]) -> dict[str, Outcome]:
    return {r: Outcome(verdict, code, step, text) for r in who}


def _words(exc: BaseException) -> str:
    message = getattr(exc, "message", "") or str(exc) or type(exc).__name__
    return clean(str(message), 200)


class SmtpOutbox:
    """One SMTP connection, opened on first use and reused while the server keeps it."""

    def __init__(self, settings: MailSettings, timeout: float = 30) -> None:
        self.settings = settings
        self.timeout = timeout
        self.client: aiosmtplib.SMTP | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            cert_bundle=str(s.ca_file) if s.ca_file else None,
            timeout=self.timeout,
        )
        await client.connect()
        if s.smtp_username:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            await client.login(s.smtp_username, password)
        return client

    def _drop(self) -> None:
        if self.client is not None:
            self.client.close()
        self.client = None

    async def send(self, sender: str, recipients: Sequence[str], data: bytes) -> dict[str, Outcome]:
        """One transaction; a connection the server closed while unused is opened again once."""
        reused = self.client is not None and self.client.is_connected
        outcomes = await self._transaction(sender, recipients, data)
        lost_unused = all(
            o.verdict is Verdict.TEMPORARY and o.code is None and o.step == "mail" for o in outcomes.values()
        )
        if reused and lost_unused:
            outcomes = await self._transaction(sender, recipients, data)
        return outcomes

    async def _open(self, recipients: Sequence[str]) -> dict[str, Outcome] | None:
        """Connect (greeting, EHLO, STARTTLS, AUTH) unless connected; the outcomes when that failed."""
        if self.client is not None and self.client.is_connected:
            return None
        self._drop()
        try:
            self.client = await self._connect()
        except aiosmtplib.SMTPResponseException as exc:  # 421 greeting, EHLO, STARTTLS or AUTH refused
            self._drop()
            return _every(Verdict.TEMPORARY, exc.code, "connect", _words(exc), recipients)
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ssl.SSLError) as exc:
            self._drop()
            reason = f"serveur injoignable ({network_reason(exc)})"
            return _every(Verdict.TEMPORARY, None, "connect", reason, recipients)
        return None

    async def _transaction(self, sender: str, recipients: Sequence[str], data: bytes) -> dict[str, Outcome]:
        failed = await self._open(recipients)
        if failed is not None or self.client is None:
            return failed or {}
        client = self.client
        options = []
        if client.supports_extension("size"):
            options.append(f"SIZE={len(data)}")
        if not data.isascii() and client.supports_extension("8bitmime"):
            options.append("BODY=8BITMIME")
        outcomes: dict[str, Outcome] = {}
        step = "mail"
        try:
            await client.mail(sender, options=options)
            step = "rcpt"
            accepted = await self._recipients(client, recipients, outcomes)
            if not accepted:
                await self._reset(client)
                return outcomes
            step = "data"
            await client.data(data)
        except aiosmtplib.SMTPResponseException as exc:
            left = [r for r in recipients if r not in outcomes]
            outcomes.update(_every(by_code(exc.code), exc.code, step, _words(exc), left))
            if exc.code == 421:  # the server closes the connection after 421
                self._drop()
            else:
                await self._reset(client)
            return outcomes
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Lost: before DATA nothing left; during DATA the message may have been taken.
            self._drop()
            left = [r for r in recipients if r not in outcomes]
            verdict = Verdict.UNCERTAIN if step == "data" else Verdict.TEMPORARY
            outcomes.update(_every(verdict, None, step, f"connexion perdue ({network_reason(exc)})", left))
            return outcomes
        outcomes.update(_every(Verdict.ACCEPTED, 250, "data", "", accepted))
        return outcomes

    @staticmethod
    async def _recipients(
        client: aiosmtplib.SMTP, recipients: Sequence[str], outcomes: dict[str, Outcome]
    ) -> list[str]:
        """RCPT for each; refusals go in ``outcomes``; the accepted ones are returned."""
        accepted: list[str] = []
        for recipient in recipients:
            try:
                await client.rcpt(recipient)
            except aiosmtplib.SMTPRecipientRefused as exc:
                outcomes[recipient] = Outcome(by_code(exc.code), exc.code, "rcpt", _words(exc))
            except ValueError as exc:  # an address aiosmtplib will not put on the wire
                outcomes[recipient] = Outcome(Verdict.PERMANENT, None, "rcpt", _words(exc))
            else:
                accepted.append(recipient)
        return accepted

    @staticmethod
    async def _reset(client: aiosmtplib.SMTP) -> None:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            await client.rset()

    async def close(self) -> None:
        """Quit politely."""
        if self.client is not None and self.client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await self.client.quit()
        self._drop()
