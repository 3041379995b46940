"""Header values read safely and written safely (bot/mail/headers.py, bot/mail/outgoing.py, bot/citations.py)."""

from email import message_from_bytes, policy

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.citations import cite
from bot.mail import outgoing
from bot.mail.headers import clean, decode_text, normalise, sender, valid_address
from rules.sources import Source


@pytest.mark.parametrize(
    ("header", "address", "problem"),
    [
        ("=?utf-8?q?victim=40evil=2Eexample?= <student1@etu.univ-paris1.fr>", "student1@etu.univ-paris1.fr", None),
        ('"victim@evil.example" <Student@Etu.Univ-Paris1.fr>', "student@etu.univ-paris1.fr", None),
        ("victim7@evil.example, student7@etu.univ-paris1.fr", "", "ambigu"),
        ("alice@evil.example)<bob@example.org>", "", "ambigu"),
        ("=?utf-8?q?x?=@evil.example", "", "ambigu"),  # the two parsers disagree: nobody is answered
        ("a@[127.0.0.1]", "", "invalide"),
        ('"a b"@example.org', "", "invalide"),
        ("undisclosed-recipients:;", "", "absent"),
        ("", "", "absent"),
        ("=?utf-8?q?Bureau=0D=0A?= <miagestages@univ-paris1.fr>", "miagestages@univ-paris1.fr", None),
    ],
)
def test_the_sender_is_one_valid_address_read_before_decoding(header: str, address: str, problem: str | None) -> None:
    found = sender(header)
    assert found.address == address
    assert (found.problem is None) if problem is None else (problem in (found.problem or ""))


def test_caps_key() -> None:
    assert normalise("Alice.Martin+stage-2026@Gmail.COM") == "alice.martin@gmail.com"
    assert valid_address("alice+x@etu.univ-paris1.fr") and not valid_address("alice@localhost")


@pytest.mark.parametrize(
    ("raw", "text", "problem"),
    [
        ("Dur=?utf-8?q?=C3=A9e?= maximale", "Durée maximale", None),
        ("R\udcc3\udca9ponse", "Réponse", None),  # raw UTF-8 (RFC 6532)
        ("R\udce9ponse", "Réponse", "pas de l'UTF-8"),  # raw latin-1: read, and flagged
        ("=?utf-8?b?/w==?=", "ÿ", "octets invalides"),
        ("=?x-inconnu?q?abc?=", "abc", "inconnu"),
        ("=?utf-8?q?a=0D=0Ab?=", "a b", "contrôle"),
        ("Hello\r\n world", "Hello world", None),  # folding is not content
        ("a\x00b", "a b", "contrôle"),
    ],
)
def test_header_text_is_decoded_strictly_and_cleaned(raw: str, text: str, problem: str | None) -> None:
    decoded = decode_text(raw)
    assert decoded.text == text
    assert (decoded.problem is None) if problem is None else (problem in (decoded.problem or ""))


@given(st.text(max_size=300))
@example("0¡¡¡¡𐀀 0) 0¡¡𐀀𐀀")  # folded right after a plain word, before an encoded word
def test_any_subject_is_written_on_clean_folded_ascii_lines(text: str) -> None:
    line = outgoing.fold("Subject", outgoing.unstructured(text))
    assert line.isascii() and line.endswith(b"\r\n")
    lines = line[:-2].split(b"\r\n")
    assert all(len(x) <= 998 for x in lines) and all(x.startswith(b" ") for x in lines[1:])
    assert b"\r" not in line[:-2].replace(b"\r\n ", b"") and b"\n" not in line[:-2].replace(b"\r\n ", b"")
    # Read back by an RFC 2047 decoder: the space between a plain word and an encoded word is kept.
    # (The legacy compat32 decode_header drops it when the line is folded right after the plain word:
    # "=?…?= 0)\r\n =?…?=" reads "…0)0…"; hypothesis found that on 2026-11-23.)
    parsed = message_from_bytes(line + b"\r\n", policy=policy.default)["Subject"] or ""
    assert str(parsed) == clean(text, 2000)


def test_a_forward_keeps_the_original_byte_for_byte() -> None:
    raw = b"From: x@y.fr\r\nSubject: =?utf-8?q?a=0D=0Ab?=\r\n\r\n\xe9t\xe9\r\n"
    data = outgoing.forward(
        office="stages@example.org",
        recipients=["a@example.org"],
        reply_to="x@y.fr",
        subject="[StageBot other] a b",
        message_id="<stagebot.1.route@example.org>",
        category="other",
        text="Résumé",
        raw=raw,
    )
    assert raw in data and data.split(b"\r\n\r\n", 1)[0].isascii()
    parsed = message_from_bytes(data)
    assert parsed["Reply-To"] == "x@y.fr" and parsed.get_payload()[1].get_content_type() == "message/rfc822"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (Source(document="003_de9fb0c5e9cab43b.txt", section="Gratification"), "Guide de la convention de stage"),
        (Source(document="Code de l'éducation, art. L124-6"), "Code de l'éducation, art. L124-6"),
        (Source(document="see 001_3d148830f515fa28.txt", section="Dates"), "see guide de la formation, Dates"),
    ],
)
def test_sources_are_cited_by_title_never_by_file_name(source: Source, text: str) -> None:
    cited = cite(source)
    assert cited.startswith(text) and ".txt" not in cited and "None" not in cited
