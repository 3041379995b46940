"""Reading one mail, whatever its shape: charsets, encodings, HTML only, attachments, chains, size.

``read_mail`` never raises: a mail it cannot read whole is returned with what could be read and
the problems in French, so the service keeps, flags and reports it rather than losing it.
"""

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from html import unescape

from bs4 import BeautifulSoup

from bot.mail import headers
from knowledge.text import fold_plain

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# A PDF attachment is read within these bounds: an offer or a letter is a few pages; a 300-page
# scan or a crafted file must not stall the mailbox.
PDF_MAX_BYTES = 4 * 1024 * 1024
PDF_MAX_PAGES = 6
PDF_MAX_CHARS = 20_000
PDF_MAX_FILES = 3
DOCUMENT_MAX_WORDS = 80  # a newest part shorter than this only presents its attached document
DEFAULT_MAX_TEXT = 32 * 1024  # characters of text read for classification; the rest stays in the original
MAX_PARTS = 200  # MIME parts visited per mail
MAX_DEPTH = 20  # levels of nesting followed

# Where the newest part of a mail ends: the quoted or forwarded chain below it.
_FORWARD = re.compile(
    r"^\s*-{2,}\s*(forwarded message|message transfere|original message|message d origine|message original)",
    re.IGNORECASE,
)
_WROTE = re.compile(r"^\s*(le|on)\b.{0,240}\b(a ecrit|wrote)\s*:?\s*$", re.IGNORECASE)
_HEADER_BLOCK = re.compile(r"^\s*\*?(de|from)\s*\*?\s*:", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\*?(envoye|sent|date|objet|subject|a|to)\s*\*?\s*:", re.IGNORECASE)
_FORWARD_SUBJECT = re.compile(r"^\s*(tr|fwd?|transf)\s*:", re.IGNORECASE)

_AUTO_SUBJECT = re.compile(
    r"^\s*(reponse automatique|automatic reply|auto ?reply|out of (the )?office|absence du bureau|absent du bureau"
    r"|auto\s*:|autoreply|message d absence|je suis absente?|delivery status notification|undeliver(able|ed)"
    r"|non remis|mail delivery|returned mail|echec de (la )?remise)",
    re.IGNORECASE,
)
# An out-of-office reply sent without the RFC 3834 headers, recognised by what it says: phrases a
# person writing to the office would not use (over the folded newest part, apostrophes as spaces).
_OUT_OF_OFFICE = re.compile(
    r"\b((je suis|je serai|nous sommes|i am|i m|i will be) (actuellement |currently |now )?"
    r"(absente?s? du bureau|out of (the )?office|away from (the )?office)"
    r"|(avec|sans|with|without|no) (un )?(acces|access) (limite |restreint |irregulier |limited |restricted )?"
    r"(a|aux|to) (mes |ma |my )?(mails|e ?mails?|messagerie|courriels?|boite)"
    r"|limited access to (my )?e ?mails?|no access to (my )?e ?mails?"
    r"|prendrai connaissance de (votre|vos) (message|mail|courriel|e ?mail)s?"
    r"|(traiterai|repondrai a) (votre|vos) (message|mail|courriel|demande)s? (a|des|apres) mon retour"
    r"|will (reply|respond|answer|get back to you)\b.{0,40}\b(upon|on|when|after) my return"
    r"|ceci est (un message|une reponse) automatique|this is an (automatic|automated) (reply|response|message))\b"
)
_OUT_OF_OFFICE_MAX_WORDS = 120  # a longer mail is a person writing, even if it mentions a holiday

_BOUNCE_LOCAL = re.compile(r"^(mailer-daemon|postmaster|bounces?)([+.-].*)?$", re.IGNORECASE)
_NO_REPLY_LOCAL = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|donotreply|ne-?pas-?repondre|nepasrepondre|bounces?)([+.-].*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mail:
    """What the triage needs from one mail."""

    message_id: str | None
    subject: str
    sender: str  # the one valid From address, lower case; "" when absent, invalid or ambiguous
    sender_name: str  # decoded display name, for greetings only: never an address
    to: tuple[str, ...]
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    body: str  # what the sender wrote now (the newest part)
    quoted: str  # the chain below it (replied or forwarded)
    forwarded: bool
    attachments: tuple[str, ...]
    documents: str  # text of the PDF attachments (bounded), "" when none could be read
    automatic: str | None  # why this comes from an automatic sender, or None
    mailing: bool  # the automatic sender is a mailing (list, bulk, no-reply, generated), not a reply or bounce
    problems: tuple[str, ...]  # French sentences: what could not be read
    size: int
    digest: str  # sha256 of the raw bytes: identifies a mail without Message-ID
    headers: tuple[tuple[str, str], ...]  # the headers that decided something, for the reasons
    answers_stagebot: str | None = None  # a Message-ID of StageBot's in In-Reply-To or References
    truncated: bool = False  # the text was read up to ``max_text`` characters; the rest stays in the original

    @property
    def text(self) -> str:
        """Subject and newest part, plus the forwarded content when the newest part only forwards it,
        plus the attached documents when the newest part only presents them."""
        text = f"{self.subject}\n{self.body}"
        if self.forwarded and len(self.body.split()) < 40:
            text += f"\n{self.quoted}"
        if self.documents and len(self.body.split()) < DOCUMENT_MAX_WORDS:
            text += f"\n{self.documents}"
        return text

    @property
    def offer_text(self) -> str:
        """What an offer is read from: what it forwards or the document it presents, else the newest
        part, else the subject."""
        if self.forwarded or (self.documents and len(self.body.split()) < DOCUMENT_MAX_WORDS):
            return self.text
        return self.body or self.text


def digest(raw: bytes) -> str:
    """The identity of a mail's bytes."""
    return hashlib.sha256(raw).hexdigest()


OWN_ID_PREFIX = "<stagebot."  # every Message-ID StageBot writes starts so: a mail carrying one is our own


def read_mail(
    raw: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    own: frozenset[str] = frozenset(),
    max_text: int = DEFAULT_MAX_TEXT,
) -> Mail:
    """Read a mail (RFC 5322 bytes). ``own``: the office's own addresses (lower case).

    The text is read up to ``max_text`` characters (the rest stays in the original, which is
    forwarded untouched): the work per mail is bounded whatever its size. CPU-bound: call it off
    the event loop (``asyncio.to_thread``).
    """
    problems: list[str] = []
    body, quoted, forwarded, truncated, documents = "", "", False, False, ""
    attachments: tuple[str, ...] = ()
    if len(raw) > max_bytes:
        problems.append(
            f"Mail trop volumineux ({len(raw)} octets, limite {max_bytes}) : seuls les en-têtes ont été lus."
        )
        message = _headers_only(raw)
    else:
        try:
            message = message_from_bytes(raw, policy=policy.compat32)
        except Exception as exc:  # any parser failure on hostile bytes: keep what the headers say
            problems.append(f"Structure MIME illisible ({type(exc).__name__}) : mail conservé pour lecture humaine.")
            message = _headers_only(raw)
        else:
            try:
                text, attached_text, names, documents, truncated = _content(message, max_text)
            except Exception as exc:  # any malformed MIME: keep what the headers say
                problems.append(f"Corps illisible ({type(exc).__name__}) : mail conservé pour lecture humaine.")
                text, attached_text, names, documents = "", "", [], ""
            body, quoted, marker_forward = split_newest(text)
            if attached_text:  # a mail forwarded as an attachment
                quoted = (quoted + "\n" + attached_text).strip()
                marker_forward = True
            forwarded, attachments = marker_forward, tuple(names)
    if message.defects:
        kinds = ", ".join(type(d).__name__ for d in message.defects[:3])
        problems.append(f"En-têtes ou structure MIME mal formés : {kinds}.")
    badly_encoded = _header_problems(message)
    if badly_encoded:
        problems.append(f"En-têtes mal encodés ({'; '.join(badly_encoded[:3])}).")
    subject = _header(message, "Subject")
    forwarded = forwarded or bool(_FORWARD_SUBJECT.match(subject))
    who = headers.sender(_raw(message, "From"))
    if who.problem:
        problems.append(who.problem)
    to = headers.addresses(_raw(message, "To"), _raw(message, "Cc"))
    message_id = (headers.message_ids(_raw(message, "Message-ID")) or (None,))[0]
    references = headers.message_ids(_raw(message, "References"))
    in_reply_to = (headers.message_ids(_raw(message, "In-Reply-To")) or (None,))[0]
    ours = next((i for i in (in_reply_to, *references) if i and i.lower().startswith(OWN_ID_PREFIX)), None)
    automatic, decisive = automatic_sender(message, who.address, subject, message_id, own)
    if automatic is None and (reason := out_of_office(body)):
        automatic, decisive = reason, ()
    mailing = automatic is not None and bool(decisive) and is_mailing(*decisive[0])
    return Mail(
        message_id=message_id,
        subject=subject,
        sender=who.address,
        sender_name=who.name,
        to=to,
        date=_date(message),
        in_reply_to=in_reply_to,
        references=references,
        body=body,
        quoted=quoted,
        forwarded=forwarded,
        attachments=attachments,
        documents=documents,
        automatic=automatic,
        mailing=mailing,
        problems=tuple(problems),
        size=len(raw),
        digest=digest(raw),
        headers=decisive,
        answers_stagebot=ours,
        truncated=truncated,
    )


def _headers_only(raw: bytes) -> Message:
    try:
        return BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    except Exception:  # not even a header block: an empty message, the problems say why
        return Message()


def _raw(message: Message, name: str) -> str | None:
    """A header as written (RFC 2047 words not decoded, raw 8-bit bytes as surrogate escapes): what
    addresses are read from. ``Message.get`` would hide 8-bit bytes behind U+FFFD."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return None


def _header_problems(message: Message) -> list[str]:
    """Headers whose bytes are not valid in their charset, or that decode to control characters."""
    found = []
    for name, value in list(message.raw_items())[:200]:
        problem = headers.decode_text(value if isinstance(value, str) else str(value)).problem
        if problem:
            found.append(f"{headers.clean(str(name), 60)} : {problem}")
    return found


def _header(message: Message, name: str) -> str:
    """A header decoded to clean text on one line; "" when absent."""
    return headers.decode_text(_raw(message, name)).text


def _date(message: Message) -> datetime | None:
    try:
        return parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _decode(part: Message, limit: int) -> tuple[str, bool]:
    """The text of a part, at most ``limit`` characters, and whether it was cut."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return "", False
    cut = len(payload) > limit * 4
    if cut:
        payload = payload[: limit * 4]
    declared = part.get_content_charset()
    for charset in (declared, "utf-8", "cp1252"):
        if not charset:
            continue
        # A cut may split a multi-byte character: try up to three bytes shorter before giving up.
        for trim in range(4 if cut else 1):
            try:
                text = payload[: len(payload) - trim].decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
            return text[:limit], cut or len(text) > limit
    return payload.decode("latin-1")[:limit], True


_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK = re.compile(r"<(br|/p|/div|/tr|/li|/h[1-6]|/table|hr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
FAST_HTML = 32 * 1024  # larger HTML (newsletters) is stripped with regular expressions: 100 times faster


def html_to_text(html: str) -> str:
    """Readable text from HTML (scripts and styles dropped, blocks on their own lines)."""
    if len(html) > FAST_HTML:
        text = _TAG.sub(" ", _BLOCK.sub("\n", _HIDDEN.sub(" ", html)))
        lines = [" ".join(unescape(line).split()) for line in text.splitlines()]
        return "\n".join(line for line in lines if line)
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    text = soup.get_text("\n")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def pdf_text(data: bytes) -> str:
    """The text of a PDF's first pages, bounded in bytes, pages and characters; "" when unreadable.

    Never raises: a broken, encrypted or hostile PDF gives "".
    """
    if len(data) > PDF_MAX_BYTES or not data.lstrip()[:5].startswith(b"%PDF"):
        return ""
    try:
        from pypdf import PdfReader  # noqa: PLC0415 - 90 ms of import, paid only by mails with a PDF

        logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed files are common, not our errors
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return ""
        chunks: list[str] = []
        size = 0
        for page in reader.pages[:PDF_MAX_PAGES]:
            chunk = page.extract_text() or ""
            chunks.append(chunk)
            size += len(chunk)
            if size >= PDF_MAX_CHARS:
                break
        text = "\n".join(" ".join(line.split()) for line in "\n".join(chunks).splitlines())
        return "\n".join(line for line in text.splitlines() if line)[:PDF_MAX_CHARS]
    except Exception:  # any PDF pypdf cannot read (or a bug in it): the mail is still read
        return ""


def _is_pdf(part: Message, filename: str | None) -> bool:
    return part.get_content_type() == "application/pdf" or (filename or "").lower().endswith(".pdf")


@dataclass
class _Budget:
    """What is left to read of one mail."""

    text: int
    html: int
    parts: int = MAX_PARTS
    cut: bool = False


def _content(message: Message, max_text: int) -> tuple[str, str, list[str], str, bool]:
    """The text the sender wrote, the text of mails attached to it, attachment names, PDF text,
    whether the text was cut.

    Bounded: at most ``max_text`` characters of text (HTML read up to twice that before conversion),
    at most ``MAX_PARTS`` parts visited, at most ``MAX_DEPTH`` levels of nesting followed.
    """
    budget = _Budget(max_text, 2 * max_text)
    text, attached, names, documents = _read_parts(message, budget, 0)
    if len(text) > max_text:
        text, budget.cut = text[:max_text], True
    return text.replace("\r\n", "\n"), attached, names, documents[:PDF_MAX_CHARS], budget.cut


def _read_parts(message: Message, budget: _Budget, depth: int) -> tuple[str, str, list[str], str]:
    plain: list[str] = []
    html: list[str] = []
    attached: list[str] = []
    names: list[str] = []
    documents: list[str] = []

    def visit(part: Message, depth: int) -> None:
        budget.parts -= 1
        if budget.parts < 0 or depth > MAX_DEPTH:
            budget.cut = True
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822":  # a mail forwarded as an attachment: its text, not ours
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                text, _, inner_names, inner_documents = _read_parts(inner[0], budget, depth + 1)
                attached.append(f"Objet : {_header(inner[0], 'Subject')}\n{text}")
                names.extend(inner_names)
                if inner_documents:
                    documents.append(inner_documents)
            return
        if part.is_multipart():
            payload = part.get_payload()
            for child in payload if isinstance(payload, list) else []:
                if isinstance(child, Message):
                    visit(child, depth + 1)
            return
        filename = part.get_filename()
        if filename or (part.get("Content-Disposition") or "").lower().startswith("attachment"):
            names.append(headers.decode_text(filename).text if filename else "(sans nom)")
            if _is_pdf(part, filename) and len(documents) < PDF_MAX_FILES:
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes) and (found := pdf_text(payload)):
                    documents.append(found)
        elif _is_pdf(part, filename) and len(documents) < PDF_MAX_FILES:  # inline PDF, no file name
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and (found := pdf_text(payload)):
                documents.append(found)
        elif ctype == "text/plain" and budget.text > 0:
            text, cut = _decode(part, budget.text)
            budget.text -= len(text)
            budget.cut = budget.cut or cut
            plain.append(text)
        elif ctype == "text/html" and budget.html > 0:
            text, cut = _decode(part, budget.html)
            budget.html -= len(text)
            budget.cut = budget.cut or cut
            html.append(text)

    visit(message, depth)
    text = "\n".join(plain) if plain else "\n".join(html_to_text(h) for h in html)
    return text, "\n".join(attached), names, "\n".join(documents)


def split_newest(text: str) -> tuple[str, str, bool]:
    """Split a body into what was written now and the replied or forwarded chain under it.

    Returns (newest, chain, forwarded).
    """
    lines = text.splitlines()
    folded = [fold_plain(line) for line in lines]
    for i, line in enumerate(folded):
        forward = _FORWARD.match(line)
        joined = line + " " + (folded[i + 1] if i + 1 < len(folded) else "")
        wrote = _WROTE.match(line) or (_WROTE.match(joined) and not line.strip().endswith(":"))
        header_block = _HEADER_BLOCK.match(line) and any(_HEADER_NEXT.match(n) for n in folded[i + 1 : i + 5])
        quote = line.startswith(">")
        if forward or wrote or header_block or quote:
            newest = "\n".join(lines[:i]).strip()
            chain = "\n".join(lines[i:]).strip()
            is_forward = bool(forward and re.search(r"forward|transfer", line))
            return newest, chain, is_forward
    return text.strip(), "", False


def out_of_office(body: str) -> str | None:
    """Why a short newest part reads as an out-of-office reply (no automatic headers needed), or None."""
    if len(body.split()) > _OUT_OF_OFFICE_MAX_WORDS or "?" in body:  # a question is a person asking
        return None
    found = _OUT_OF_OFFICE.search(" ".join(fold_plain(body).split()))
    return f"réponse d'absence automatique (texte : « {found.group(0)} »)" if found else None


def is_mailing(header: str, value: str) -> bool:
    """Whether the header that marked a mail automatic says "a mailing" (a newsletter, a job board,
    a platform's notification: it may carry offers) rather than "a reply" (out of office) or a bounce."""
    value = value.lower()
    if header in {"Precedence", "X-Precedence"}:
        return value in {"bulk", "list"}
    if header == "Auto-Submitted":
        return value.startswith("auto-generated")
    if header == "From":  # a no-reply address sends notifications; the office's own address is no mailing
        local = value.split("@", maxsplit=1)[0]
        return bool(_NO_REPLY_LOCAL.match(local)) and not _BOUNCE_LOCAL.match(local)
    return header in {"List-Id", "List-Unsubscribe", "List-Post"}


# Automatic senders: RFC 3834 (Auto-Submitted), then osTicket's lists (class.filter.php,
# TicketFilter::isAutoReply and ::isBounce), each value matched at the start, case ignored; "*" is
# any value. Mailing lists (RFC 2369, RFC 2919) are never answered either.
_AUTO_HEADERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Precedence", ("auto_reply", "auto-reply", "bulk", "junk", "list")),
    ("X-Precedence", ("auto_reply", "auto-reply", "bulk", "junk", "list")),
    ("X-Autoreply", ("yes",)),
    ("X-Auto-Response-Suppress", ("all", "dr", "rn", "nrn", "oof", "autoreply")),
    ("X-Autoresponse", ("*",)),
    ("X-AutoReply-From", ("*",)),
    ("X-Autorespond", ("*",)),
    ("X-Mail-Autoreply", ("*",)),
    ("X-Autogenerated", ("reply",)),
    ("X-AMAZON-MAIL-RELAY-TYPE", ("notification",)),
    ("X-Failed-Recipients", ("*",)),
    ("List-Id", ("*",)),
    ("List-Unsubscribe", ("*",)),
    ("List-Post", ("*",)),
)
_BOUNCE_SUBJECT = ("delivery failure", "delivery status", "undeliverable:", "undelivered mail returned")


def automatic_sender(
    message: Message, sender: str, subject: str, message_id: str | None, own: frozenset[str]
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """Why a mail comes from an automatic sender (RFC 3834, osTicket's lists, usual practice), or None."""

    def found(reason: str, header: str, value: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        return reason, ((header, value),)

    auto = _header(message, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return found(f"en-tête Auto-Submitted: {auto}", "Auto-Submitted", auto)
    for name, starts in _AUTO_HEADERS:
        value = _header(message, name)
        if not value and _raw(message, name) is None:
            continue
        folded = value.lower()
        if "*" in starts or any(folded.startswith(start) for start in starts):
            return found(f"en-tête {name}: {value}" if "*" not in starts else f"en-tête {name}", name, value)
    ctype = message.get_content_type()
    if ctype == "multipart/report" or "delivery-status" in str(message.get("Content-Type", "")).lower():
        return found("rapport de remise (bounce)", "Content-Type", ctype)
    if (_raw(message, "Return-Path") or "").strip() == "<>":
        return found("chemin de retour vide (bounce)", "Return-Path", "<>")
    raw_from = headers.decode_text(_raw(message, "From")).text.lower()
    if "mailer-daemon" in raw_from or "postmaster@" in raw_from or "<>" in raw_from:
        return found(f"expéditeur automatique {sender or raw_from[:80]}", "From", sender or raw_from[:80])
    local = sender.split("@", maxsplit=1)[0]
    if _NO_REPLY_LOCAL.match(local):
        return found(f"expéditeur automatique {sender}", "From", sender)
    if sender and sender in own:
        return found("expédié par l'adresse du bureau elle-même", "From", sender)
    if message_id and message_id.lower().startswith(OWN_ID_PREFIX):
        return found("Message-ID émis par StageBot", "Message-ID", message_id)
    if subject.lower().startswith(_BOUNCE_SUBJECT) or _AUTO_SUBJECT.match(fold_plain(subject)):
        return found(f"objet de réponse automatique « {subject} »", "Subject", subject)
    return None, ()
