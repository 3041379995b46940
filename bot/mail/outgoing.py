"""The mails StageBot writes (forwards to officers, answers to students), as bytes, from clean headers.

Every header is written here, in ASCII, from values that were validated (addresses, Message-IDs) or
cleaned (text: no control character; RFC 2047 words for what is not ASCII; folded under 78
characters). No header of the mail being forwarded is copied: a hostile header cannot break or
forge a line of ours (issue 13: a display name decoding to CR LF stopped the mailbox). The original
mail is attached byte for byte, never parsed again nor re-serialised, so it reaches the officer
exactly as it arrived and building a forward costs the same for 1 kB as for 10 MB.

Nothing here raises on a value read from a mail.
"""

import base64
import binascii
import os
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime

from bot.mail.headers import clean, valid_address

_LINE = 76
_MSG_ID = re.compile(r"<[!-;=?-~]{1,250}>")  # printable ASCII without < and >: safe in a header
_PLAIN_WORD = re.compile(r"[!-~]{1,70}")


def _encoded_words(text: str) -> list[str]:
    """``text`` as RFC 2047 base64 words of at most 75 characters, split on character boundaries."""
    chunks: list[bytes] = []
    chunk = b""
    for char in text:
        data = char.encode("utf-8", "replace")
        if len(chunk) + len(data) > 45:  # 45 bytes -> 60 base64 characters + 12 = 72
            chunks.append(chunk)
            chunk = b""
        chunk += data
    if chunk:
        chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(c).decode()}?=" for c in chunks]


def unstructured(text: str) -> list[str]:
    """A free-text header value as items to join with spaces: plain ASCII words, or encoded words.

    Consecutive words that need encoding are encoded together with the spaces between them, since
    a decoder drops the space between two encoded words.
    """
    items: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            items.extend(_encoded_words(" ".join(pending)))
            pending.clear()

    for word in clean(text).split(" "):
        if not word:
            continue
        if _PLAIN_WORD.fullmatch(word) and "=?" not in word:
            flush()
            items.append(word)
        else:
            pending.append(word)
    flush()
    return items


def fold(name: str, items: Iterable[str], separator: str = " ") -> bytes:
    """One header line ``Name: item item …`` (or ``item, item`` with ``separator=", "``), folded
    before 78 characters where it can be, CRLF-terminated."""
    mark = separator.rstrip()  # "" between words, "," between addresses
    line = f"{name}:"
    lines: list[str] = []
    for index, item in enumerate(items):
        if index and len(line) + len(mark) + 1 + len(item) > _LINE:
            lines.append(line + mark)
            line = " " + item
        else:
            line += ("" if index == 0 else mark) + " " + item
    lines.append(line)
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _addresses(name: str, addresses: Sequence[str]) -> bytes:
    kept = [a for a in addresses if a and a.isascii() and "@" in a and not re.search(r"[\s<>,;\"]", a)]
    return fold(name, kept, separator=", ")


def message_id_list(ids: Iterable[str | None]) -> list[str]:
    """The Message-IDs safe to write in In-Reply-To or References, in order, without repeats."""
    return list(dict.fromkeys(i for i in ids if i and _MSG_ID.fullmatch(i)))


def _common(office: str, recipients: Sequence[str], subject: str, message_id: str, now: datetime | None) -> list[bytes]:
    return [
        fold("From", [office]),
        _addresses("To", recipients),
        fold("Subject", unstructured(subject[:400]) or ["(sans objet)"]),
        fold("Date", [format_datetime(now or datetime.now(UTC))]),
        fold("Message-ID", [message_id]),
        b"MIME-Version: 1.0\r\n",
    ]


def _quoted_printable(text: str) -> bytes:
    lines = [clean(line, 10_000) if line.strip() else "" for line in text.splitlines()]
    data = binascii.b2a_qp("\n".join(lines).encode("utf-8"), quotetabs=False, istext=True, header=False)
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _boundary(raw: bytes) -> str:
    while True:
        boundary = f"=_stagebot_{os.urandom(12).hex()}"
        if boundary.encode() not in raw:
            return boundary


def forward(
    *,
    office: str,
    recipients: Sequence[str],
    reply_to: str,
    subject: str,
    message_id: str,
    category: str,
    text: str,
    raw: bytes,
    now: datetime | None = None,
) -> bytes:
    """A forward to officers: a summary, and the original attached untouched.

    ``reply_to``: the original sender's address when valid, so an officer's Reply reaches the
    student, not the office mailbox (where it would be forwarded back to the officer).
    """
    head = _common(office, recipients, subject, message_id, now)
    if reply_to and valid_address(reply_to):
        head.append(fold("Reply-To", [reply_to]))
    head.append(b"Auto-Submitted: auto-generated\r\n")
    head.append(fold("X-StageBot-Category", [re.sub(r"[^a-z-]", "", category) or "other"]))
    boundary = _boundary(raw)
    head.append(f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n'.encode())
    parts = [
        b"".join(head),
        b"\r\n",
        f"--{boundary}\r\n".encode(),
        b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
        _quoted_printable(text),
        b"\r\n",
    ]
    if raw:
        parts += [f"--{boundary}\r\n".encode(), *_attachment(raw)]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def _attachment(raw: bytes) -> list[bytes]:
    """The original as message/rfc822 (7bit or 8bit) when its lines fit SMTP's 998; else in base64."""
    if max((len(line) for line in raw.split(b"\n")), default=0) <= 998:
        encoding = b"7bit" if raw.isascii() else b"8bit"
        ending = b"" if raw.endswith(b"\n") else b"\r\n"
        return [
            b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n",
            b"Content-Transfer-Encoding: " + encoding + b"\r\n\r\n",
            raw,
            ending,
        ]
    data = base64.encodebytes(raw).replace(b"\n", b"\r\n")
    return [
        b'Content-Type: application/octet-stream; name="mail-original.eml"\r\n',
        b'Content-Disposition: attachment; filename="mail-original.eml"\r\n',
        b"Content-Transfer-Encoding: base64\r\n\r\n",
        data,
    ]


def answer(
    *,
    office: str,
    to: str,
    subject: str,
    message_id: str,
    in_reply_to: str | None,
    references: Sequence[str],
    text: str,
    now: datetime | None = None,
) -> bytes:
    """An automatic answer to one sender, threaded under their mail, marked per RFC 3834."""
    subject = clean(subject) or "votre question"
    subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    head = _common(office, [to], subject, message_id, now)
    parent = message_id_list([in_reply_to])
    if parent:
        head.append(fold("In-Reply-To", parent))
        head.append(fold("References", message_id_list([*references[-10:], *parent])))
    head.append(b"Auto-Submitted: auto-replied\r\n")  # RFC 3834
    head.append(b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n')
    return b"".join(head) + b"\r\n" + _quoted_printable(text)
