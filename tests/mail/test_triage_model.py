"""The trained classifier, the urgency detector, hostile mail, PDF text and automatic answers."""

import tempfile
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.assistant.answer import Answer
from bot.mail.classify import classify, impersonated_brand
from bot.mail.message import pdf_text, read_mail
from bot.mail.model import MODEL_PATH, shipped
from bot.mail.safety import SAFETY_PATH, SafetyError, load
from bot.mail.triage import decide, detect_programme, may_send
from bot.settings import MailSettings
from rules.programmes import programme as get_programme

from .conftest import OFFICERS

TODAY = date(2026, 11, 23)
SETTINGS = MailSettings(address="miagestages@univ-paris1.fr", routing=OFFICERS)


def _pdf(*lines: str) -> bytes:
    """A minimal valid one-page PDF showing ``lines`` in Helvetica (offsets computed, no library)."""
    text = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    stream = text.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _mail(
    body: str,
    subject: str = "Bonjour",
    sender: str = "Camille Durand <camille.durand@etu.univ-paris1.fr>",
    headers: dict[str, str] | None = None,
    pdf: bytes | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "miagestages@univ-paris1.fr"
    message["Subject"] = subject
    message["Message-ID"] = "<test@example.org>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if pdf is not None:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename="offre.pdf")
    return message.as_bytes()


OFFER_LINES = (
    "OFFRE DE STAGE - Developpeur(se) backend Kotlin",
    "Nimbus Logistique, 12 rue de Rivoli, 75004 Paris",
    "Missions : developpement d'API REST en Kotlin et Spring Boot, tests automatises, revues de code.",
    "Profil recherche : L3 ou M1 MIAGE, bases en Java ou Kotlin, SQL, Git.",
    "Duree : 4 a 6 mois a partir d'avril 2027. Gratification : 1 000 euros par mois. Teletravail 2 jours.",
    "Candidature : CV et quelques lignes a recrutement@nimbus-logistique.fr",
)


def test_pdf_attachment_text_is_read_and_an_offer_only_in_a_pdf_is_an_offer() -> None:
    raw = _mail(
        "Bonjour,\n\nVous trouverez ci-joint notre offre. Merci de la transmettre à vos étudiants.\n\nService RH",
        subject="Offre",
        sender="RH Nimbus <rh@nimbus-logistique.fr>",
        pdf=_pdf(*OFFER_LINES),
    )
    mail = read_mail(raw)
    assert "Kotlin et Spring Boot" in mail.documents and mail.attachments == ("offre.pdf",)
    assert "Kotlin" in mail.text  # a short mail presenting a document: the document is the content
    decision = decide(mail, SETTINGS, "paris1-miage", TODAY)
    assert decision.category == "offer" and decision.offer is not None
    assert decision.offer.pay is not None and decision.offer.duration_weeks is not None  # read from the PDF


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.4\n garbage \x00\xff", b"not a pdf at all", b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog" * 1000],
    ids=["empty", "broken", "not-pdf", "truncated"],
)
def test_unreadable_pdf_gives_no_text_and_never_raises(data: bytes) -> None:
    assert pdf_text(data) == ""
    mail = read_mail(_mail("Ci-joint le document.", pdf=data))
    assert mail.documents == "" and mail.problems == ()


def test_pdf_text_is_bounded() -> None:
    huge = _pdf(*(["Une ligne de texte assez longue pour remplir la page du document."] * 40))
    assert 0 < len(pdf_text(huge)) <= 20_000


@pytest.mark.parametrize(
    "body",
    [
        "Bonjour,\n\nJe suis absente du bureau jusqu'au lundi 4 mai inclus, avec un accès limité à ma messagerie.\n"
        "Pour toute demande urgente, merci de contacter Julie Marchand.\n\nCordialement",
        "Thank you for your email. I am currently out of the office with no access to email, returning on 18 May.",
        "Bonjour, je suis en congés. Je prendrai connaissance de votre message à mon retour le 2 janvier.",
    ],
    ids=["fr-bureau", "en", "fr-retour"],
)
def test_out_of_office_without_headers_is_recognised_by_its_text(body: str) -> None:
    sender = "Mélanie Girardot <m.girardot@terranova.fr>"
    mail = read_mail(_mail(body, subject="Re: Convention de stage", sender=sender))
    assert mail.automatic is not None and "absence automatique" in mail.automatic and not mail.mailing
    decision = decide(mail, SETTINGS, "paris1-miage", TODAY)
    assert decision.category == "other" and decision.auto_reply is None and not decision.urgent


def test_a_student_announcing_an_absence_is_no_out_of_office() -> None:
    mail = read_mail(_mail("Bonjour, je serai absente du stage demain pour un rendez-vous médical. Élise"))
    assert mail.automatic is None
    assert classify(mail).category == "absence"


@pytest.mark.parametrize(
    ("subject", "sender", "body"),
    [
        (
            "Votre boîte mail est presque pleine",
            "Service informatique <support@univ-paris1-helpdesk.com>",
            "Votre quota de messagerie est dépassé à 98 %. Validez votre compte sous 24 heures en cliquant ici, "
            "sinon vos nouveaux messages seront rejetés.",
        ),
        (
            "Action requise : Document en attente de votre signature (Convention_2026.pdf)",
            "DocuSign <dse_na4@docusign-secure-notify.net>",
            "Service Juridique vous a envoyé un document à examiner et signer. EXAMINER LE DOCUMENT. "
            "Ce lien expirera dans 24 heures.",
        ),
        (
            "Offre de stage rémunérée 2 500 €",
            "Recrutement <jobs@talent-fast-cash.biz>",
            "Stage à domicile, 2 500 € par mois. Investissez en bitcoin avec notre plateforme pour commencer.",
        ),
    ],
    ids=["quota", "docusign-lookalike", "crypto-offer"],
)
def test_phishing_and_spam_stay_other_and_are_never_forwarded(subject: str, sender: str, body: str) -> None:
    decision = decide(read_mail(_mail(body, subject=subject, sender=sender)), SETTINGS, "paris1-miage", TODAY)
    assert decision.category == "other" and decision.offer is None and decision.auto_reply is None
    assert any(r.startswith("indésirable") for r in decision.reasons)
    # Nothing goes to the offer officers, hence nothing to the students' channels.
    assert not set(OFFICERS["offer"]) & set(decision.route_to)


def test_real_signature_platform_senders_are_not_impersonations() -> None:
    assert impersonated_brand("dse_na4@docusign.net") is None
    assert impersonated_brand("noreply@eu.docusign.net") is None
    assert impersonated_brand("x@docusign-secure-notify.net") == "docusign"


URGENT_WITH_A_QUESTION = (
    "Bonjour,\n\nCe matin je me suis coupé la main avec une tôle en rangeant la salle serveur, un collègue "
    "m'a emmené aux urgences et j'ai eu 6 points de suture. Combien de jours de congés ai-je en stage ? "
    "Quelle est la durée minimale du stage ?\n\nBilal"
)


def test_an_urgent_mail_is_an_incident_routed_to_the_urgent_recipients_and_never_answered() -> None:
    decision = decide(read_mail(_mail(URGENT_WITH_A_QUESTION, subject="question")), SETTINGS, "paris1-miage", TODAY)
    assert decision.urgent and decision.category == "incident"
    assert decision.auto_reply is None and decision.no_reply_because
    assert set(OFFICERS["incident"]) | set(OFFICERS["urgent"]) <= set(decision.route_to)
    assert decision.summary().startswith("URGENT")
    assert any(r.startswith("urgent : blessure") for r in decision.reasons)


@pytest.mark.parametrize(
    "body",
    [
        "Bonjour, mon tuteur fait des remarques sur mon physique et me met la main dans le dos. Je n'ose plus y aller.",
        "Hello, since the riots started there is a curfew in the city and the embassy advised us to leave.",
        "Bonjour, nous avons décidé de mettre fin au stage de M. Martin ce vendredi. La DRH",
        "je sais pas à qui écrire, j'ai des idées noires depuis quelques jours",
        "Hi, my manager told me not to come back on Monday, the company is ending my internship.",
        "Bonjour, notre stagiaire a glissé dans nos escaliers hier et s'est tordu la cheville. Faut-il un document ?",
        "Bonjour, suite à une baisse d'activité, le stage de Mme Diallo s'arrêtera ce vendredi. RH",
        "Dear Sam, we regret to inform you that your placement will conclude effective immediately.",
        "Bonjour, nous souhaitons nous séparer de M. Petit dès lundi, il ne correspond pas à nos attentes.",
        "My tutor keeps saying things about my figure and today he tried to kiss me in the elevator.",
        "Notre alternante ne s'est pas présentée depuis une semaine et ne répond plus. Nous sommes très inquiets.",
    ],
    ids=[
        "body-remarks",
        "curfew",
        "host-ends",
        "dark-thoughts",
        "termination-en",
        "fall-on-stairs",
        "ends-friday",
        "separation",
        "notice-en",
        "kiss-en",
        "missing",
    ],
)
def test_urgent_situations_in_everyday_words_are_flagged(body: str) -> None:
    result = classify(read_mail(_mail(body, subject="stage")))
    assert result.urgent and result.category == "incident", result.reasons


@pytest.mark.parametrize(
    "body",
    [
        "Bonjour, l'entreprise demande si je suis couvert en cas d'accident du travail pendant le stage. Merci",
        "Bonjour, dans mon rapport je décris la menace des ransomwares pour l'entreprise, est-ce un bon sujet ?",
        "Notre entreprise fait de la prévention des risques et de la sécurité incendie : stage en développement.",
        "Bonjour, mon stage se termine le vendredi 28 août, quand dois-je rendre le rapport ?",
        "Bonjour, si mon entreprise me licencie pendant l'alternance, que se passe-t-il pour mon inscription ?",
        "Bonjour, est-il possible de faire mon stage au Liban ? Le pays est-il en zone rouge ?",
    ],
    ids=["insurance", "ransomware", "fire-safety", "end-date", "hypothetical-dismissal", "abroad-question"],
)
def test_ordinary_mails_with_alarming_words_are_not_urgent(body: str) -> None:
    result = classify(read_mail(_mail(body, subject="question")))
    assert not result.urgent, result.reasons


def test_an_automatic_sender_is_never_urgent_nor_answered() -> None:
    raw = _mail(URGENT_WITH_A_QUESTION, headers={"Auto-Submitted": "auto-replied"})
    decision = decide(read_mail(raw), SETTINGS, "paris1-miage", TODAY)
    assert decision.category == "other" and not decision.urgent and decision.auto_reply is None


def test_a_lille_student_writing_to_paris_1_gets_lille_s_answer() -> None:
    raw = _mail(
        "Bonjour,\n\nJe suis en L3 Informatique à Lille. Quelle est la durée minimale du stage ?\n\nMerci, Léa",
        subject="Durée minimale du stage",
        sender="Léa Martin <lea.martin.etu@univ-lille.fr>",
    )
    decision = decide(read_mail(raw), SETTINGS, "paris1-miage", TODAY)
    assert decision.category == "question" and decision.programme == "lille-l3"
    assert decision.answer is not None and decision.answer.entry_id == "lille-l3/duree-minimale"
    assert decision.auto_reply is not None and "12 semaines" in decision.auto_reply


@pytest.mark.parametrize(
    ("kind", "band", "answered", "score", "sent"),
    [
        ("knowledge", "sure", True, 0.9, True),
        ("calculator", "sure", True, 1.0, True),
        ("verdict", "sure", True, 0.8, True),
        ("input_error", "none", False, 0.0, False),
        ("calculator", "none", False, 1.0, False),  # a calculator's error sentence
        ("refusal", "none", False, 0.4, False),
        ("knowledge", "likely", True, 0.9, False),
        ("knowledge", "sure", True, 0.5, False),  # under auto_reply_min_score
    ],
)
def test_only_a_sure_answer_of_the_engine_is_mailed(
    kind: str, band: str, answered: bool, score: float, sent: bool
) -> None:
    answer = Answer(answered, "Texte.", "x/y", score, kind=kind, band=band)  # type: ignore[arg-type]
    assert may_send(answer, 0.7) is sent


def test_safety_file_is_valid_and_its_groups_documented() -> None:
    safety = load()
    names = {m.group.name for m in safety.matchers}
    assert {"sexual_harm", "remarks_on_body", "unwanted_contact", "violence_threats", "distress"} <= names
    assert {"injury_at_work", "danger", "host_ends", "stops_coming"} <= names
    assert all(m.group.description and m.group.label for m in safety.matchers)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("patterns = [\n", "patterns = [\n    '(unclosed',\n"), "expression invalide"),
        (
            ('examples = [\n    "il laisse', 'examples = [\n    "une phrase sans rapport",\n    "il laisse'),
            "ne reconnaît pas",
        ),
        (("counter_examples = [\n", 'counter_examples = [\n    "il m\'a menacée",\n'), "contre-exemple"),
        (("\nweak_support = ", "\nsurprise = 1\nweak_support = "), "Extra inputs"),
        (("patterns = [\n", "patterns = [\n    '(x|)',\n"), "texte vide"),
    ],
    ids=["bad-regex", "example-not-matched", "counter-example-matched", "unknown-key", "empty-match"],
)
def test_safety_file_validation_names_the_problem(edit: tuple[str, str], message: str) -> None:
    text = SAFETY_PATH.read_text(encoding="utf-8")
    assert edit[0] in text
    with tempfile.TemporaryDirectory() as tmp:
        broken = Path(tmp) / "safety.toml"
        broken.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
        with pytest.raises(SafetyError, match=message):
            load(broken)


def test_shipped_model_covers_the_seven_categories() -> None:
    model = shipped()
    assert model.classes == ("offer", "convention", "absence", "incident", "evaluation", "question", "other")
    assert model.meta["mails"] >= 700


@pytest.mark.slow
def test_training_is_reproducible_and_the_shipped_model_is_up_to_date(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from bot.mail import train  # noqa: PLC0415 - needs the dev extras (scikit-learn)

    out = tmp_path / "model.json.gz"
    assert train.main(["--out", str(out)]) == 0
    assert out.read_bytes() == MODEL_PATH.read_bytes(), "retrain: .venv/bin/python -m bot.mail.train"


@pytest.mark.parametrize(
    ("sender", "text", "programme"),
    [
        ("lea@univ-lille.fr", "Quelle est la durée minimale ?", "lille-l3"),
        ("lea.martin.etu@univ-lille.fr", "Mon stage est à Paris.", "lille-l3"),
        ("jules@etu.univ-paris1.fr", "Mon stage est à Lille, quelle durée minimale ?", "paris1-miage"),
        ("zoe@etu.univ-amu.fr", "Je suis en licence LEA à la faculté ALLSH.", "amu-allsh"),
        ("zoe@etu.univ-amu.fr", "Je suis en M1 MIAGE.", "amu-miage"),
        ("max@gmail.com", "Je suis en L3 à Lille.", "lille-l3"),
        ("max@gmail.com", "Une question sur mon stage.", "paris1-miage"),
    ],
)
def test_the_programme_is_the_sender_s_university_else_the_one_named(sender: str, text: str, programme: str) -> None:
    assert detect_programme(text, get_programme("paris1-miage"), sender).id == programme


def test_a_reply_quoting_an_old_incident_is_not_a_new_urgent_mail() -> None:
    """The quoted history of a reply weighs less than what is said now: the urgency rules skip it."""
    quoted = (
        "> Le 12 mars, Camille Durand a écrit :\n"
        "> Mon tuteur me touche sans arrêt et fait des remarques sur mon corps, j'ai peur d'y retourner.\n"
    )
    body = "Merci pour votre aide, tout est réglé depuis mon changement de service. Bonne journée.\n\n" + quoted
    decision = decide(read_mail(_mail(body, subject="Re: signalement")), SETTINGS, "paris1-miage", TODAY)
    assert not decision.urgent
    # The same words said now are urgent.
    said_now = "Mon tuteur me touche sans arrêt et fait des remarques sur mon corps, j'ai peur d'y retourner."
    now = decide(read_mail(_mail(said_now, subject="signalement")), SETTINGS, "paris1-miage", TODAY)
    assert now.urgent
