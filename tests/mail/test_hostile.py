"""Mail written to stop, trick or loop the mailbox, against Dovecot and aiosmtpd.

Each case here stopped the service, answered the wrong address or looped before issue 13.
"""

import asyncio
import sqlite3
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from bot.mail.service import MailService, run_once
from bot.store import Store
from tests.servers import Dovecot, SmtpCollector, append, mailbox_counts

from .conftest import labelled, mail_settings, settings_for

CRLF_NAME = "=?utf-8?q?Bureau_des_stages_de_la_MIAGE_Paris_1=0D=0A?= <miagestages@univ-paris1.fr>"


def question(from_header: str, message_id: str, *, extra: str = "", subject: str = "durée minimale stage") -> bytes:
    """A frequent question the knowledge base answers (as mail 080), from the given From header."""
    return (
        f"From: {from_header}\r\nTo: Bureau des stages <stages@example.org>\r\nSubject: {subject}\r\n"
        f"Date: Tue, 25 Nov 2025 16:26:40 -0000\r\nMessage-ID: <{message_id}>\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Bonjour,\r\nquelle est la durée minimale du stage de L3 ?\r\nMerci\r\n"
    ).encode()


def _run(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector, raws: list[bytes], **overrides: object) -> MailService:
    asyncio.run(append(dovecot.port, raws))
    settings = settings_for(tmp_path, mail_settings(dovecot, smtp, **overrides))
    service = MailService(settings, Store(settings.database))
    asyncio.run(run_once(service, "process"))
    return service


def _answers(smtp: SmtpCollector) -> list[list[str]]:
    return [m.rcpt_tos for m in smtp.messages if m.message["Auto-Submitted"] == "auto-replied"]


def _audit(tmp_path: Path, action: str) -> list[str]:
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    return [row[0] for row in db.execute("SELECT detail FROM audit WHERE action = ? ORDER BY id", (action,))]


@pytest.mark.parametrize("header", ["To", "From", "Cc", "Reply-To", "Sender", "Bcc", "Resent-From"])
def test_a_display_name_decoding_to_crlf_cannot_stop_the_mailbox(
    tmp_path: Path,
    dovecot: Dovecot,
    smtp: SmtpCollector,
    header: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.cli import main  # noqa: PLC0415

    raw = labelled("045").replace(b"Subject:", f"{header}: {CRLF_NAME}\r\nSubject:".encode(), 1)
    if header in {"To", "From"}:  # replace the existing one rather than add a second
        raw = labelled("045").replace(
            next(line for line in labelled("045").split(b"\n") if line.startswith(f"{header}:".encode())),
            f"{header}: {CRLF_NAME}\r".encode(),
            1,
        )
    asyncio.run(append(dovecot.port, [raw, labelled("021")]))
    (tmp_path / "config.toml").write_text(
        f'database = "{tmp_path / "state.sqlite3"}"\n[mail]\naddress = "stages@example.org"\n'
        f'imap_host = "127.0.0.1"\nimap_port = {dovecot.port}\nimap_security = "none"\n'
        f'username = "stages@example.org"\npassword = "secret-imap"\nsmtp_host = "127.0.0.1"\n'
        f'smtp_port = {smtp.port}\nsmtp_security = "none"\nmode = "send"\n[mail.routing]\n'
        'absence = ["scolarite@example.org"]\nconvention = ["conventions@example.org"]\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["mail", "once", "--backlog", "process"]) == 0, capsys.readouterr().err
    assert "2 mail(s) traité(s)" in capsys.readouterr().out
    forwards = {m.rcpt_tos[0]: m for m in smtp.messages}
    assert set(forwards) == {"scolarite@example.org", "conventions@example.org"}
    forward = forwards["scolarite@example.org"]
    # Our headers are ours, each on one line; the original is attached byte for byte.
    head = forward.raw.split(b"\r\n\r\n", 1)[0]
    assert b"Bureau des stages de la MIAGE" not in head
    attached = forward.raw.split(b"Content-Transfer-Encoding: ", 2)[2].split(b"\r\n\r\n", 1)[1]
    assert attached.startswith(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").rstrip(b"\r\n"))
    counts = asyncio.run(mailbox_counts(dovecot.port, ["INBOX", "Triage/À vérifier", "Triage/Conventions"]))
    assert counts == {"INBOX": 0, "Triage/À vérifier": 1, "Triage/Conventions": 1}  # flagged as malformed
    assert main(["mail", "status"]) == 0
    assert "caractères de contrôle" in capsys.readouterr().out


def test_answers_go_to_the_address_never_to_a_display_name(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    raws = [
        question("=?utf-8?q?victim=40evil=2Eexample?= <student1@etu.univ-paris1.fr>", "forged-1@test"),
        question("victim7@evil.example, student7@etu.univ-paris1.fr", "two-senders@test"),
        question('"victim8@evil.example" <student8@etu.univ-paris1.fr>', "quoted@test"),
    ]
    _run(tmp_path, dovecot, smtp, raws)
    assert sorted(_answers(smtp)) == [["student1@etu.univ-paris1.fr"], ["student8@etu.univ-paris1.fr"]]
    assert not any("evil.example" in r for m in smtp.messages for r in m.rcpt_tos)
    assert any("pas d'expéditeur unique" in d for d in _audit(tmp_path, "réponse-évitée"))
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    review = db.execute("SELECT message_id FROM mails WHERE review = 1").fetchall()
    assert review == [("<two-senders@test>",)]  # ambiguous sender: an officer looks


def test_the_once_per_sender_limit_is_keyed_on_the_normalised_address(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    raws = [
        question(f"Alice <{a}>", f"plus-{i}@test")
        for i, a in enumerate(["alice+1@gmail.com", "Alice+2@Gmail.com", "alice@gmail.com"])
    ]
    _run(tmp_path, dovecot, smtp, raws)
    assert _answers(smtp) == [["alice+1@gmail.com"]]
    assert sum("alice@gmail.com" in d for d in _audit(tmp_path, "réponse-évitée")) == 2


def test_a_robot_answering_stagebot_from_new_addresses_gets_no_answer(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    asyncio.run(append(dovecot.port, [question("ticket-1@helpdesk.example", "t1@helpdesk.example")]))
    settings = settings_for(tmp_path, mail_settings(dovecot, smtp))
    asyncio.run(run_once(MailService(settings, Store(settings.database)), "process"))
    for round_ in range(2, 6):  # the robot answers our answer from a new address, without automatic headers
        ours = [m for m in smtp.messages if m.message["Auto-Submitted"] == "auto-replied"][-1].message["Message-ID"]
        extra = f"In-Reply-To: {ours}\r\nReferences: {ours}\r\n"
        robot = question(
            f"ticket-{round_}@helpdesk.example", f"t{round_}@helpdesk.example", extra=extra, subject="Re: votre demande"
        )
        asyncio.run(append(dovecot.port, [robot]))
        asyncio.run(run_once(MailService(settings, Store(settings.database)), None))
        if len(_answers(smtp)) == 1:
            break
    assert _answers(smtp) == [["ticket-1@helpdesk.example"]]
    assert any("répond à un message de StageBot" in d for d in _audit(tmp_path, "réponse-évitée"))


def test_hourly_caps_per_domain_and_overall(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    raws = [question(f"agent{i}@tickets.example", f"cap-a{i}@test") for i in range(5)]
    raws += [question(f"someone@domain{i}.example", f"cap-b{i}@test") for i in range(5)]
    _run(tmp_path, dovecot, smtp, raws, replies_per_domain_per_hour=2, replies_per_hour=4)
    answered = [r[0] for r in _answers(smtp)]
    assert len(answered) == 4 and sum(a.endswith("@tickets.example") for a in answered) == 2
    reasons = _audit(tmp_path, "réponse-évitée")
    assert sum("domaine tickets.example" in r for r in reasons) == 3
    assert sum("plafond global de 4" in r for r in reasons) == 3
    # Every capped question still reached the officers.
    assert len([m for m in smtp.messages if m.message["Subject"].startswith("[StageBot")]) == 10


@pytest.mark.parametrize(
    "extra",
    [
        "X-Autoresponse: yes\r\n",
        "X-AutoReply-From: helpdesk\r\n",
        "X-Mail-Autoreply: 1\r\n",
        "X-Autogenerated: Reply\r\n",
        "X-AMAZON-MAIL-RELAY-TYPE: notification\r\n",
        "X-Auto-Response-Suppress: OOF\r\n",
        "Return-Path: <>\r\n",
        "X-Failed-Recipients: someone@example.org\r\n",
        "Precedence: list\r\n",
        "Auto-Submitted: auto-generated\r\n",
    ],
)
def test_rfc3834_and_osticket_automatic_headers_get_no_answer(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector, extra: str
) -> None:
    _run(tmp_path, dovecot, smtp, [question("robot@service.example", "auto@test", extra=extra)])
    assert _answers(smtp) == []
    assert any("automatique" in d for d in _audit(tmp_path, "réponse-évitée") + _audit(tmp_path, "classé"))


def test_forwards_reply_to_the_sender_and_an_officer_is_not_sent_back_their_own_mail(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    officer_reply = (
        labelled("045")
        .replace(b"From: Hugo <hugo.lemoine@etu.univ-lille.fr>", b"From: Scolarite <Scolarite@example.org>")
        .replace(b"<label-045.absence@mails.example.net>", b"<officer-1@example.org>")
    )
    officer_question = question("scolarite+miage@example.org", "officer-q@example.org")
    _run(tmp_path, dovecot, smtp, [labelled("045"), officer_reply, officer_question])
    forwards = [m for m in smtp.messages if m.message["Subject"].startswith("[StageBot")]
    assert len(forwards) == 1  # only the student's mail: the officer's own mails are not sent back to them
    assert forwards[0].message["Reply-To"] == "hugo.lemoine@etu.univ-lille.fr"
    assert _answers(smtp) == []  # an officer's question is not answered by the robot
    assert len(_audit(tmp_path, "transfert-évité")) == 2
    assert any("responsable des stages" in d for d in _audit(tmp_path, "réponse-évitée"))


def test_header_bytes_invalid_in_their_charset_are_flagged_and_never_answered(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    latin1 = question("etu9@etu.univ-paris1.fr", "latin1@test").replace(
        b"Subject: dur\xc3\xa9e minimale stage", b"Subject: dur\xe9e minimale stage"
    )
    utf8 = question("etu10@etu.univ-paris1.fr", "utf8@test")  # raw UTF-8 in the subject is valid (RFC 6532)
    _run(tmp_path, dovecot, smtp, [latin1, utf8])
    assert _answers(smtp) == [["etu10@etu.univ-paris1.fr"]]
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    flagged = db.execute("SELECT message_id, decision FROM mails WHERE review = 1").fetchall()
    assert [f[0] for f in flagged] == ["<latin1@test>"] and "pas de l'UTF-8" in flagged[0][1]
    (forward,) = [m for m in smtp.messages if b"<latin1@test>" in m.raw]
    subject = str(make_header(decode_header(forward.message["Subject"])))
    assert subject == "[StageBot question] durée minimale stage"  # read as cp1252 for the officer, no U+FFFD


def test_answers_cite_the_guide_by_title_never_a_file_name(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    _run(tmp_path, dovecot, smtp, [labelled("080")])
    (answer,) = [m for m in smtp.messages if m.message["Auto-Submitted"] == "auto-replied"]
    text = answer.message.get_payload(decode=True).decode()
    assert "Source : Guide du stage de L3 MIAGE (Université Paris 1 Panthéon-Sorbonne)" in text
    assert ".txt" not in text


def test_forward_headers_are_ours_and_the_original_is_attached_untouched(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    raw = labelled("020")  # latin-1, 8 bit
    _run(tmp_path, dovecot, smtp, [raw])
    (forward,) = smtp.messages
    attached = forward.message.get_payload()[1]
    assert attached.get_content_type() == "message/rfc822"
    assert attached.get_payload()[0]["Message-ID"] == message_from_bytes(raw)["Message-ID"]
    assert raw.replace(b"\r\n", b"\n").strip() in forward.raw.replace(b"\r\n", b"\n")
