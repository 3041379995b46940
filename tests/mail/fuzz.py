"""Hypothesis strategies for hostile mail: header and MIME shapes built as bytes, so anything is possible.

Headers: every address header with display names that decode to CR, LF or NUL, encoded words in
any (or an unknown) charset with bytes invalid in it, raw 8-bit bytes, groups, several addresses,
comments, folding, very long values, lines without a colon. Bodies: plain, HTML, multipart nested,
message/rfc822, missing or lying boundaries, broken base64 and quoted-printable, unknown charsets.
"""

import base64
import binascii

from hypothesis import strategies as st

ADDRESS_HEADERS = ["From", "To", "Cc", "Reply-To", "Sender", "Bcc", "Resent-From"]
OTHER_HEADERS = [
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Date",
    "Auto-Submitted",
    "Precedence",
    "Return-Path",
    "X-Auto-Response-Suppress",
    "List-Id",
    "X-Failed-Recipients",
    "Content-Disposition",
]
CHARSETS = ["utf-8", "UTF-8", "iso-8859-1", "windows-1252", "us-ascii", "x-unknown", "utf-7", "gb2312", "utf-16", ""]
CONTENT_TYPES = [
    "text/plain",
    "text/html",
    "application/pdf",
    "message/rfc822",
    "multipart/alternative",
    "multipart/mixed",
    "image/png",
    "text/enriched",
    "garbage",
]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "bogus"]
SAFE_LOCAL = st.from_regex(r"[a-z][a-z0-9.+_-]{0,12}", fullmatch=True)
DOMAIN = st.sampled_from(["etu.univ-paris1.fr", "example.org", "evil.example", "gmail.com", "x", "[127.0.0.1]"])

# Text with what breaks headers: CR, LF, NUL, controls, quotes, angle brackets, encoded-word markers.
nasty_text = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
        st.sampled_from(["\r", "\n", "\r\n", "\x00", "\t", '"', "<", ">", ",", ";", ":", "@", "=?", "?=", "\\"]),
    ),
    max_size=12,
).map("".join)


@st.composite
def raw_bytes(draw: st.DrawFn, max_size: int = 40) -> bytes:
    """Text encoded in some charset, or bytes valid in none."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(st.binary(max_size=max_size))
    text = draw(nasty_text)
    codec = ["utf-8", "latin-1", "cp1252"][choice - 1]
    return text.encode(codec, "replace")


@st.composite
def encoded_word(draw: st.DrawFn) -> bytes:
    """An RFC 2047 word: any charset, Q or B, any payload (CR LF included), sometimes malformed."""
    charset = draw(st.sampled_from(CHARSETS))
    payload = draw(raw_bytes())
    if draw(st.booleans()):
        data = base64.b64encode(payload)
        if draw(st.integers(0, 5)) == 0:
            data = data[:-1] + b"!"  # broken base64
        return b"=?" + charset.encode() + b"?b?" + data + b"?="
    data = binascii.b2a_qp(payload, header=True).replace(b"\n", b"=0A")
    return b"=?" + charset.encode() + b"?q?" + data + b"?="


@st.composite
def display_name(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return b""
    if kind == 1:
        return b" ".join(draw(st.lists(encoded_word(), min_size=1, max_size=3)))
    if kind == 2:
        return b'"' + draw(raw_bytes()).replace(b'"', b'\\"') + b'"'
    return draw(raw_bytes()).replace(b"\r", b"").replace(b"\n", b"")


@st.composite
def mailbox(draw: st.DrawFn) -> bytes:
    address = f"{draw(SAFE_LOCAL)}@{draw(DOMAIN)}".encode()
    name = draw(display_name())
    shape = draw(st.integers(0, 4))
    if shape == 0:
        return address
    if shape == 1:
        return name + b" <" + address + b">"
    if shape == 2:
        return address + b" (" + draw(raw_bytes()).replace(b")", b"") + b")"
    if shape == 3:
        return draw(encoded_word()) + b"@" + draw(DOMAIN).encode()  # an encoded word as local part
    return name + b" <" + draw(raw_bytes()) + b">"


@st.composite
def address_value(draw: st.DrawFn) -> bytes:
    boxes = draw(st.lists(mailbox(), min_size=0, max_size=3))
    value = b", ".join(boxes)
    if draw(st.integers(0, 6)) == 0:
        value = b"group: " + value + b";"
    if draw(st.integers(0, 8)) == 0:
        value = value * draw(st.integers(2, 40))  # far beyond 78 (and 998) characters
    return value


@st.composite
def other_value(draw: st.DrawFn) -> bytes:
    parts = draw(
        st.lists(st.one_of(encoded_word(), raw_bytes(), st.just(b"<stagebot.1.reply@example.org>")), max_size=4)
    )
    value = b" ".join(parts)
    if draw(st.integers(0, 6)) == 0:
        value = value.replace(b" ", b"\r\n\t", 1)  # folding
    return value


@st.composite
def header_block(draw: st.DrawFn) -> list[bytes]:
    lines = []
    for name in draw(st.lists(st.sampled_from(ADDRESS_HEADERS + OTHER_HEADERS), max_size=10)):
        value = draw(address_value() if name in ADDRESS_HEADERS else other_value())
        lines.append(name.encode() + b": " + value)
    if draw(st.integers(0, 10)) == 0:
        lines.append(draw(raw_bytes()).replace(b":", b""))  # a line without a colon
    if draw(st.integers(0, 10)) == 0:
        lines.append(b"X-" + draw(st.binary(min_size=1, max_size=8)).replace(b":", b"") + b": x")
    return lines


@st.composite
def part(draw: st.DrawFn, depth: int = 0) -> bytes:
    """A MIME entity (headers and body), possibly multipart and nested."""
    ctype = draw(st.sampled_from(CONTENT_TYPES))
    headers = [b"Content-Type: " + ctype.encode()]
    if ctype.startswith("multipart/") and depth < 3:
        boundary = draw(st.sampled_from([b"b1", b"b2", b"", b"--", b"=_x"]))
        headers[0] += b'; boundary="' + boundary + b'"'
        children = draw(st.lists(part(depth + 1), min_size=0, max_size=3))
        body = b"".join(b"--" + boundary + b"\r\n" + child + b"\r\n" for child in children)
        if draw(st.booleans()):
            body += b"--" + boundary + b"--\r\n"  # or never closed
        return b"\r\n".join(headers) + b"\r\n\r\n" + body
    if ctype == "message/rfc822" and depth < 3:
        return b"\r\n".join(headers) + b"\r\n\r\n" + draw(mail(depth + 1))
    charset = draw(st.sampled_from(CHARSETS))
    if charset:
        headers[0] += b"; charset=" + charset.encode()
    encoding = draw(st.sampled_from(ENCODINGS))
    headers.append(b"Content-Transfer-Encoding: " + encoding.encode())
    if draw(st.integers(0, 3)) == 0:
        headers.append(b"Content-Disposition: attachment; filename=" + draw(other_value()).replace(b"\r\n", b""))
    payload = draw(raw_bytes(max_size=300))
    if ctype == "text/html":
        payload = b"<html><body><p>" + payload + b"</p><script>x</script></body>"
    if encoding == "base64" and draw(st.booleans()):
        payload = base64.encodebytes(payload)
    elif encoding == "quoted-printable" and draw(st.booleans()):
        payload = binascii.b2a_qp(payload)
    return b"\r\n".join(headers) + b"\r\n\r\n" + payload


@st.composite
def mail(draw: st.DrawFn, depth: int = 0) -> bytes:
    """A whole mail: a header block, then a body of any shape."""
    lines = draw(header_block())
    if draw(st.booleans()):
        lines.append(b"MIME-Version: 1.0")
    body = draw(part(depth))
    if draw(st.integers(0, 5)) == 0:
        body = draw(raw_bytes(max_size=200))
    return b"\r\n".join(lines) + b"\r\n" + body
