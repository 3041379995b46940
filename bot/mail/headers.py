"""Header values read safely: addresses taken before any decoding, text decoded strictly, then cleaned.

Why (issue 13): decoding RFC 2047 words before parsing an address let
``=?utf-8?q?victim=40evil=2Eexample?= <student@…>`` turn into an answer to victim@evil.example, and a
display name decoding to CR or LF stopped the forward from being written. So:
- ``mailboxes`` reads addresses from the raw header (``email.utils.getaddresses`` on the undecoded
  value, cross-checked with ``email.headerregistry``); a display name is decoded only to be shown;
- ``sender`` accepts exactly one syntactically valid address, never a display name;
- ``decode_text`` decodes strictly in the declared charset (raw 8-bit must be UTF-8, RFC 6532) and
  reports what could not be decoded, instead of hiding it behind U+FFFD;
- ``clean`` removes every control character, so nothing read from a mail can end a header line.
Nothing here raises on any input.
"""

import re
from dataclasses import dataclass
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header
from email.utils import getaddresses

# RFC 5322 dot-atom local part and a host name of at least two labels: what StageBot will answer to.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*@{_LABEL}(?:\.{_LABEL})+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def valid_address(address: str) -> bool:
    """Whether an address is one StageBot may write to: ASCII dot-atom, a real host name, RFC 5321 lengths."""
    if len(address) > 254 or not _ADDRESS.fullmatch(address):
        return False
    return len(address.rsplit("@", 1)[0]) <= 64


def normalise(address: str) -> str:
    """The key an address is counted under: lower case, the ``+tag`` of the local part removed."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if local else address.strip().lower()


def domain_of(address: str) -> str:
    """The domain of an address, lower case ("" when there is none)."""
    return address.rpartition("@")[2].lower() if "@" in address else ""


def clean(text: str, limit: int = 998) -> str:
    """Text fit for one header line or one log line: no control character, spaces collapsed, bounded."""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


@dataclass(frozen=True)
class Decoded:
    """A header value as text, and why it could not be read faithfully (None when it could)."""

    text: str
    problem: str | None = None


def _raw_bytes_text(value: str) -> Decoded:
    """Undo the parser's surrogate escapes: raw 8-bit header bytes must be UTF-8 (RFC 6532)."""
    if not _SURROGATE.search(value):
        return Decoded(value)
    data = value.encode("utf-8", "surrogateescape")
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError:
        return Decoded(data.decode("cp1252", "replace"), "octets 8 bits qui ne sont pas de l'UTF-8")


def decode_text(value: str | None) -> Decoded:
    """A header value decoded (raw UTF-8 and RFC 2047 words), strictly, then cleaned to one line."""
    if value is None:
        return Decoded("")
    raw = _raw_bytes_text(str(value))
    problem = raw.problem
    text = _FOLD.sub(" ", raw.text)  # folding is not content
    if _CONTROL.search(text):
        problem = problem or "caractères de contrôle dans l'en-tête"
    if "=?" in text:
        try:
            pieces = decode_header(text)
        except (HeaderParseError, ValueError, LookupError, TypeError):
            pieces = [(text, None)]
            problem = problem or "mot encodé RFC 2047 illisible"
        out: list[str] = []
        for chunk, charset in pieces:
            if isinstance(chunk, str):
                out.append(chunk)
                continue
            if charset is None:
                out.append(chunk.decode("raw-unicode-escape", "replace"))
                continue
            try:
                decoded = chunk.decode(charset)
            except LookupError:
                decoded = chunk.decode("cp1252", "replace")
                problem = problem or f"jeu de caractères inconnu « {clean(charset, 40)} »"
            except UnicodeDecodeError:
                decoded = chunk.decode("cp1252", "replace")
                problem = problem or f"octets invalides pour le jeu de caractères « {clean(charset, 40)} »"
            if _CONTROL.search(decoded):  # an encoded CR or LF: a forged header line
                problem = problem or "caractères de contrôle dans un mot encodé"
            out.append(decoded)
        text = "".join(out)
    return Decoded(clean(text, 2000), problem)


@dataclass(frozen=True)
class Mailbox:
    """One mailbox of an address header: the address as written, and the decoded display name to show."""

    address: str
    name: str


_TRICKY = re.compile(r'["()\\]|=\?|@.*@|<.*<')  # what makes two address parsers read a header differently


def mailboxes(value: str | None, *, cross_check: bool = False) -> list[Mailbox]:
    """Every mailbox of an address header, read before decoding; an unreadable entry has address "".

    ``cross_check``: a single address must also be the one ``email.headerregistry`` reads, else the
    header counts as ambiguous (checked only when the header has quotes, comments, encoded words or
    more than one ``@`` or ``<``: the stricter parser is slow).
    """
    if not value:
        return []
    raw = str(value)
    try:
        pairs = getaddresses([raw])
    except Exception:  # any parser failure on hostile input: nothing trustworthy in it
        return [Mailbox("", "")]
    found = []
    for name, address in pairs:
        found.append(Mailbox(address.strip(), decode_text(name).text if name else ""))
    if cross_check and len(found) == 1 and found[0].address and _TRICKY.search(raw):
        # Cross-check with the stricter RFC 5322 parser: two readings of one header must agree.
        try:
            parsed = policy.default.header_factory("From", _raw_bytes_text(raw).text).addresses
        except Exception:  # a name it refuses (CR, LF) does not make the address doubtful
            parsed = None
        if parsed is not None and (len(parsed) != 1 or parsed[0].addr_spec.lower() != found[0].address.lower()):
            return [found[0], Mailbox("", "")]
    return found


@dataclass(frozen=True)
class Sender:
    """The one sender of a mail: a valid address, or "" with the reason."""

    address: str
    name: str
    problem: str | None


def sender(value: str | None) -> Sender:
    """Exactly one syntactically valid address from a From header, lower case; else "" and why."""
    found = mailboxes(value, cross_check=True)
    named = [m for m in found if m.address]
    if not found or not named:
        return Sender("", "", "Expéditeur absent ou illisible.")
    if len(found) != 1:
        return Sender("", named[0].name, "Expéditeur ambigu (plusieurs adresses dans From) : aucune réponse envoyée.")
    address = named[0].address.lower()
    if not valid_address(address):
        return Sender("", named[0].name, "Adresse d'expéditeur invalide : aucune réponse envoyée.")
    return Sender(address, named[0].name, None)


def addresses(*values: str | None) -> tuple[str, ...]:
    """The valid addresses of several address headers, lower case, in order, without repeats."""
    out: dict[str, None] = {}
    for value in values:
        for box in mailboxes(value):
            address = box.address.lower()
            if valid_address(address):
                out[address] = None
    return tuple(out)


_MSG_ID = re.compile(r"<[!-;=?-~]{1,250}>")  # printable ASCII only: raw 8-bit bytes never make an id


def message_ids(value: str | None) -> tuple[str, ...]:
    """The Message-IDs listed in a References or In-Reply-To header."""
    return tuple(_MSG_ID.findall(str(value))) if value else ()
