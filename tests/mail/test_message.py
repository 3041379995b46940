"""Reading mails of every shape without losing any."""

from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from bot.mail.message import read_mail, split_newest

from .labelled import FOLDER


def _eml(name_prefix: str) -> bytes:
    return next(FOLDER.glob(f"{name_prefix}-*.eml")).read_bytes()


def test_quoted_printable_latin1_is_decoded() -> None:
    mail = read_mail(_eml("003"))
    assert "contrat d'apprentissage pour 2 ans" in mail.body
    assert mail.sender == "rh@groupebati.fr"


def test_base64_and_windows_1252_and_latin1_8bit() -> None:
    assert "ingénieur études et développement" in read_mail(_eml("004")).body
    assert "gestion des tickets d'incidents" in read_mail(_eml("008")).body  # windows-1252
    assert "Éditions Horizon" in read_mail(_eml("020")).body  # latin-1, 8 bit


def test_html_only_mail_becomes_text() -> None:
    mail = read_mail(_eml("006"))
    assert "stage de 3 mois" in mail.body and "<" not in mail.body


def test_unknown_charset_falls_back_without_losing_the_text() -> None:
    mail = read_mail(_eml("121"))
    assert "préfecture" in mail.body


def test_attachments_are_listed_by_name() -> None:
    mail = read_mail(_eml("023"))
    assert mail.attachments == ("pièce jointe signée.pdf",)
    assert "%PDF" not in mail.body


def test_reply_chain_keeps_only_the_newest_part() -> None:
    mail = read_mail(_eml("012"))
    assert "stage de 10 semaines" in mail.body
    assert "vous pouvez nous envoyer l'offre" not in mail.body
    assert "vous pouvez nous envoyer l'offre" in mail.quoted
    assert not mail.forwarded


def test_forwarded_mail_counts_its_forwarded_content() -> None:
    mail = read_mail(_eml("007"))
    assert mail.forwarded
    assert "consultant SI / AMOA pour 6 mois" in mail.text


def test_outlook_header_block_starts_the_chain() -> None:
    newest, chain, forwarded = split_newest(
        "Voici ma réponse.\n\nDe : Jean <j@x.fr>\nEnvoyé : lundi 2 novembre\nObjet : stage\n\nancien texte"
    )
    assert newest == "Voici ma réponse." and chain.startswith("De : Jean") and not forwarded


def test_mail_forwarded_as_attachment() -> None:
    inner = EmailMessage()
    inner["Subject"] = "Offre de stage data"
    inner["From"] = "rh@corp.fr"
    inner.set_content("Nous recherchons un stagiaire data pour 6 mois.")
    outer = MIMEMultipart("mixed")
    outer["From"] = "prof@univ.fr"
    outer["Subject"] = "TR: offre"
    outer.attach(MIMEText("Pour diffusion.", "plain", "utf-8"))
    from email.mime.message import MIMEMessage  # noqa: PLC0415

    outer.attach(MIMEMessage(inner))
    mail = read_mail(outer.as_bytes())
    assert mail.forwarded and "stagiaire data pour 6 mois" in mail.text and mail.body == "Pour diffusion."


def test_broken_headers_are_read_and_reported() -> None:
    mail = read_mail(_eml("119"))
    assert mail.date is None  # "lundi 32 novembre"
    assert "durée maximale" in mail.subject
    assert mail.body


def test_missing_message_id_is_kept_with_a_digest() -> None:
    mail = read_mail(_eml("120"))
    assert mail.message_id is None and len(mail.digest) == 64


def test_very_large_mail_is_kept_and_flagged_not_parsed() -> None:
    raw = b"From: a@b.fr\r\nSubject: gros fichier\r\nMessage-ID: <big@b.fr>\r\n\r\n" + b"x" * 2000
    mail = read_mail(raw, max_bytes=1000)
    assert mail.subject == "gros fichier" and mail.body == ""
    assert "trop volumineux" in mail.problems[0]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted"),
        ({"Auto-Submitted": "no"}, None),
        ({"Precedence": "bulk"}, "Precedence"),
        ({"X-Precedence": "auto_reply"}, "X-Precedence"),
        ({"X-Autoreply": "yes"}, "X-Autoreply"),
        ({"X-Autorespond": "yes"}, "X-Autorespond"),
        ({"X-Auto-Response-Suppress": "All"}, "X-Auto-Response-Suppress"),
        ({"List-Id": "<l.example.org>"}, "List-Id"),
        ({"List-Unsubscribe": "<mailto:u@x>"}, "List-Unsubscribe"),
        ({"From": "MAILER-DAEMON@mx.fr"}, "expéditeur automatique"),
        ({"From": "no-reply@service.fr"}, "expéditeur automatique"),
        ({"From": "stages@example.org"}, "bureau"),
        ({"Message-ID": "<stagebot.1.2.reply@example.org>"}, "StageBot"),
        ({"Subject": "Réponse automatique : stage"}, "objet"),
        ({"Subject": "Automatic reply: internship"}, "objet"),
        ({"Subject": "Out of Office: stage"}, "objet"),
    ],
)
def test_automatic_senders(headers: dict[str, str], reason: str | None) -> None:
    message = EmailMessage()
    message["From"] = headers.pop("From", "etudiant@univ.fr")
    message["Subject"] = headers.pop("Subject", "question")
    for key, value in headers.items():
        message[key] = value
    message.set_content("Bonjour")
    mail = read_mail(message.as_bytes(), own=frozenset({"stages@example.org"}))
    if reason is None:
        assert mail.automatic is None
    else:
        assert mail.automatic is not None and reason in mail.automatic


def test_delivery_status_report_is_automatic() -> None:
    assert read_mail(_eml("101")).automatic is not None


def test_garbage_bytes_never_raise() -> None:
    mail = read_mail(b"\xff\xfe\x00garbage\r\n\r\n\x00\x01")
    assert mail.problems  # no sender at least
