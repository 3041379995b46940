"""Which of the seven categories of ../shared/CLI.md a mail belongs to, and whether it is urgent.

A small explainable model: weighted French (and some English) phrase rules over the folded subject
and newest part of the mail. Each category adds the weights of the rules it matches (a rule counts
once; a match in the subject weighs 1.5 times); the best total wins. Automatic senders are `other`
whatever they say. Urgent cases (harassment, accident, danger, a host ending the internship) are
always `incident`. Every decision lists the rules and headers that made it.
"""

import re
from dataclasses import dataclass

from bot.mail.message import Mail
from knowledge.text import fold_plain

CATEGORIES = ("offer", "convention", "absence", "incident", "evaluation", "question", "other")
SUBJECT_FACTOR = 1.5
# In a reply ("Re: …") the subject is the old topic; what the sender writes now decides.
REPLY_SUBJECT_FACTOR = 0.5
_REPLY = re.compile(r"^\s*(re|aw|sv|rep)\s*:", re.IGNORECASE)
MIN_SCORE = 1.0  # below it nothing specific was found: a question if the mail asks one, else other

# (category, weight, pattern over folded text with apostrophes as spaces, label shown in the reasons)
RULES: tuple[tuple[str, float, str, str], ...] = (
    # Offers: a host or a recruiter passing on a position.
    (
        "offer",
        3.0,
        r"\boffres? (de |d )?(stage|alternance|emploi|apprentissage|cdi|cdd)",
        "offre de stage/alternance/emploi",
    ),
    (
        "offer",
        2.5,
        r"\b(nous recherchons|on recherche|recherchons un|recrute|recrutons|we are (looking|hiring)|is hiring|hiring)\b",
        "recrutement",
    ),
    (
        "offer",
        2.0,
        r"\bprofil (recherche|souhaite|attendu)|\bcompetences (requises|attendues|souhaitees)|\brequirements\b",
        "profil recherché",
    ),
    ("offer", 2.0, r"\bpostes? (a pourvoir|de|en)\b|\bposition\b|\bjob\b", "poste"),
    ("offer", 1.5, r"\bmissions? (principales|proposees)?\s*:", "missions :"),
    (
        "offer",
        2.0,
        r"\b(diffuser|transmettre|relayer|partager|faire suivre)\b.{0,60}\b(etudiants|promo|promotion|eleves)\b",
        "à diffuser aux étudiants",
    ),
    (
        "offer",
        2.0,
        r"\b(pouvez vous|merci de|a|pour) (diffuser|diffusion|relayer)\b|\baccueillir un (stagiaire|alternant)",
        "à diffuser",
    ),
    ("offer", 2.0, r"\b(cdi|cdd|graduate|junior|internship|work ?study|apprenticeship)\b", "type de contrat proposé"),
    (
        "offer",
        1.5,
        r"\b(envoyer|envoyez|adresser|adressez) (votre |un )?(cv|candidature)|\bcv (et|\+) lettre|\bsend (your )?(cv|resume)",
        "candidature à envoyer",
    ),
    ("offer", 1.0, r"\b(remuneration|salaire|gratification|package|k€|keur)\s*:", "rémunération annoncée"),
    (
        "offer",
        1.0,
        r"\b(teletravail|remote|hybride)\s*:|\blieu\s*:|\blocation\s*:|\bdebut\s*:|\bstart date",
        "fiche de poste",
    ),
    # Agreements and documents.
    ("convention", 3.0, r"\bconventions?\b(?! collective)", "convention"),
    ("convention", 3.0, r"\bavenants?\b", "avenant"),
    ("convention", 3.0, r"\bpre ?-?conventions?\b|\bpreconv", "pré-convention"),
    ("convention", 2.0, r"\b(signature|signer|signee?s?|signataire)\b", "signature"),
    ("convention", 2.5, r"\b(pstage|ipro|moveon|cactus)\b", "plateforme de convention"),
    (
        "convention",
        3.0,
        r"\b(fiche|formulaire) de validation|\bvalidation de (la |ma |sa )?mission",
        "validation de mission",
    ),
    (
        "convention",
        2.0,
        r"\battestation (d assurance|de responsabilite|cpam|de securite)|\bresponsabilite civile\b|\bpieces? (a fournir|justificatives?)",
        "pièces à fournir",
    ),
    ("convention", 1.5, r"\btampon|\bcachet\b|\bexemplaires? originaux|\bscan(ne)?\b", "document à signer"),
    ("convention", 1.5, r"\b(enseignant|tuteur) referent\b.{0,40}\b(convention|nom)\b", "référent de la convention"),
    (
        "convention",
        2.0,
        r"\bcontrat d (apprentissage|alternance)|\bcontrat de professionnalisation|\bdate de debut du contrat",
        "contrat d'alternance",
    ),
    # Absences.
    ("absence", 3.0, r"\babsen(ce|ces|t|te|ts|tes)\b", "absence"),
    (
        "absence",
        3.0,
        r"\barret (de travail|maladie)|\bcertificat medical|\bmalade\b|\bgrippe\b|\bcovid\b|\bgastro",
        "maladie ou arrêt",
    ),
    ("absence", 2.0, r"\bjustificatif|\bjustifier\b|\bexcuser?\b|\bexcusez\b", "justification"),
    (
        "absence",
        2.0,
        # Spoken French drops the "ne": "je serai pas présente demain".
        r"\b(ne )?(pourrai|pourrais|pourra|serai|serais|sera) pas (present|presente|la|venir|assister|etre)",
        "ne pourra pas être présent",
    ),
    (
        "absence",
        1.5,
        r"\brendez ?-?vous (medical|chez le medecin)|\benterrement|\bdeces\b|\bobseques",
        "motif d'absence",
    ),
    # Incidents: trouble in the host, a wish to stop, a host complaining.
    ("incident", 4.0, r"\bharcel\w*|\bharass\w*", "harcèlement"),
    (
        "incident",
        3.0,
        r"\b(agression|agresse|insulte\w*|humili\w*|menace\w*|sexiste|discriminat\w*|attouchement)",
        "comportement grave",
    ),
    ("incident", 3.5, r"\baccident\b|\bblesse\w*|\bhopital\b|\burgences\b", "accident"),
    (
        "incident",
        3.0,
        r"\bdanger\w*|\bzone rouge\b|\bevacu\w*|\brapatri\w*|\bemeute|\bconflit arme|\battentat",
        "danger",
    ),
    (
        "incident",
        3.0,
        r"\b(mettre|mettrons|mettre un) (fin|terme) (au|a son|a votre|a mon) stage|\bfin (anticipee|prematuree)|\bne (souhaitons|souhaite|pouvons) plus (l |la |le )?(accueillir|garder)",
        "l'organisme veut mettre fin au stage",
    ),
    (
        "incident",
        2.5,
        r"\b(arreter|quitter|interrompre|abandonner|rompre) (mon |le |son |ce )?(stage|contrat|alternance|apprentissage)|\brupture\b|\bdemission",
        "arrêt ou rupture",
    ),
    (
        "incident",
        2.5,
        r"\b(aucune|pas de|pas de vraie|sans) mission|\bne (me|lui) donne (rien|aucun\w*)|\bphotocopies|\bcafe\b.{0,20}\bstagiaire",
        "pas de vraie mission",
    ),
    (
        "incident",
        2.0,
        r"\bse passe (tres )?mal|\bconflit|\bprobleme (grave|serieux)|\bplainte\b|\bpression\b|\bcomportement (inacceptable|inapproprie|problematique)",
        "conflit ou difficulté",
    ),
    (
        "incident",
        2.0,
        r"\b(retards? (repetes|repetitifs|frequents)|ne vient plus|ne se presente plus|injoignable|absences? (repetees|injustifiees))",
        "l'organisme se plaint du stagiaire",
    ),
    (
        "incident",
        1.5,
        r"\b(50|55|60) ?h(eures)?\b.{0,30}semaine|\bheures sup\w*|\b(le|les) (week ?-?end|dimanche)s?\b.{0,30}travaill",
        "temps de travail abusif",
    ),
    # Evaluation: report, defence, grades, tutor forms.
    ("evaluation", 3.0, r"\bsoutenances?\b|\bjury\b", "soutenance"),
    (
        "evaluation",
        3.0,
        r"\brapport (de stage|d activite|final)|\bmemoire\b|\bdepot du rapport|\brendre (le|mon) rapport",
        "rapport de stage",
    ),
    (
        "evaluation",
        3.0,
        r"\b(fiche|grille|formulaire) d evaluation|\bevaluation (du|de la|de votre|de mon) (stagiaire|etudiant|stage)|\bevaluation tuteur",
        "évaluation",
    ),
    ("evaluation", 2.5, r"\bnotes?\b(?! de frais)|\bnotation|\bbareme|\breleve de notes|\bresultats?\b", "note"),
    (
        "evaluation",
        1.5,
        r"\bslides|\bdiaporama|\bpresentation orale|\blivret (d alternance)?",
        "support de soutenance ou livret",
    ),
    # General questions the base or the calculators answer.
    ("question", 1.0, r"\?", "point d'interrogation"),
    (
        "question",
        1.0,
        r"\b(combien|est ce que|est il possible|puis je|ai je le droit|peut on|quelle est|quelles sont|quel est|savoir si|comment)\b",
        "tournure de question",
    ),
    (
        "question",
        1.0,
        r"\b(gratification|duree (minimale|maximale|du stage)|jours? ouvres|heures de stage|teletravail|conges?|smic|salaire minimum)\b",
        "sujet de la base",
    ),
    # Nothing to act on.
    ("other", 4.0, r"^\s*(merci|thanks|bien recu|parfait|super)\b[^?]{0,80}$", "simple remerciement"),
    (
        "other",
        3.0,
        r"\b(newsletter|desabonner|desinscri\w*|unsubscribe|webinaire|webinar|promotion exceptionnelle|code promo|soldes)\b",
        "lettre d'information ou publicité",
    ),
    ("other", 3.0, r"\b(gagnant|bitcoin|crypto|viagra|heritage|lottery|loterie|casino)\b", "indésirable"),
)

SHORT_BODY_ONLY = frozenset({"simple remerciement"})  # a thank-you is only one when it is all the mail says
SHORT_BODY = 120
URGENT_LABELS = frozenset(
    {"harcèlement", "comportement grave", "accident", "danger", "l'organisme veut mettre fin au stage"}
)

_COMPILED = tuple((cat, weight, re.compile(pattern), label) for cat, weight, pattern, label in RULES)


@dataclass(frozen=True)
class Classification:
    """A category, whether it is urgent, and why."""

    category: str
    urgent: bool
    reasons: tuple[str, ...]
    scores: dict[str, float]


def _folded(text: str) -> str:
    # Apostrophes and hyphens become spaces: "pouvez-vous", "aujourd'hui" read as words.
    return " ".join(fold_plain(text).replace("-", " ").split())


def classify(mail: Mail) -> Classification:
    """Classify one mail."""
    if mail.automatic is not None:
        return Classification("other", False, (f"expéditeur automatique : {mail.automatic}",), {"other": 10.0})
    subject = _folded(mail.subject)
    body_text = mail.text[len(mail.subject) :] if mail.text.startswith(mail.subject) else mail.text
    body = _folded(body_text)
    scores = dict.fromkeys(CATEGORIES, 0.0)
    hits: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    urgent_hits: list[str] = []
    subject_factor = REPLY_SUBJECT_FACTOR if _REPLY.match(mail.subject) else SUBJECT_FACTOR
    for category, weight, pattern, label in _COMPILED:
        in_subject = bool(pattern.search(subject))
        in_body = bool(pattern.search(body)) and (label not in SHORT_BODY_ONLY or len(body) < SHORT_BODY)
        if not (in_subject or in_body):
            continue
        scores[category] += weight * (subject_factor if in_subject else 1.0)
        hits[category].append(f"« {label} »" + (" (objet)" if in_subject else ""))
        if label in URGENT_LABELS:
            urgent_hits.append(label)
    if urgent_hits:
        reasons = tuple(f"urgent : {label}" for label in dict.fromkeys(urgent_hits)) + tuple(hits["incident"])
        return Classification("incident", True, reasons, scores)
    best = max(CATEGORIES, key=lambda c: (scores[c], -CATEGORIES.index(c)))
    if scores[best] < MIN_SCORE:
        return Classification("other", False, ("rien à traiter : aucune règle ne s'applique",), scores)
    return Classification(best, False, tuple(hits[best]), scores)
