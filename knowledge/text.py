"""Normalisation of French questions as students type them: accents, elisions, slang, synonyms.

rapidfuzz's default processor keeps accents, so text is folded here before any comparison.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_ELISION = re.compile(r"\b(?:l|d|j|qu|n|s|c|m|t|jusqu|lorsqu|puisqu)['’`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Multi-word slang first (applied on folded text), then single tokens.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bc ?koi\b", "quoi"),
    (r"\bc est koi\b", "quoi"),
    (r"\bkesk\w*\b", "quoi"),
    (r"\bstage alt\b", "stage alternance"),
    (r"\bcontrat pro\b", "professionnalisation"),
    (r"\bcontrat de pro\b", "professionnalisation"),
    (r"\b(\d+)h\b", r"\1 h"),
    (r"\bjtrouve\b", "je trouve"),
    (r"\bjtrouves\b", "je trouve"),
    (r"\btickets? resto\b", "restaurant"),
    (r"\bfull\b", "complet"),
    (r"\bjsuis\b", "je suis"),
    (r"\bchui\b", "je suis"),
    (r"\bjpeux\b", "je peux"),
    (r"\bjdois\b", "je dois"),
    (r"\bpre ?convention\b", "preconvention"),
    (r"\bpre-convention\b", "preconvention"),
    (r"\bjours? feries?\b", "ferie"),
    (r"\bjours? ouvres?\b", "ouvre"),
    (r"\bjours? ouvrables?\b", "ouvrable"),
    (r"\btele ?travail\b", "teletravail"),
    (r"\bfull remote\b", "teletravail"),
    (r"\ba distance\b", "teletravail"),
    (r"\bhors de france\b", "etranger"),
    (r"\ba l etranger\b", "etranger"),
    (r"\bdit oui\b", "accepte"),
    (r"\bre ?signer\b", "signer"),
    (r"\betats? unis\b", "etranger"),
    (r"\broyaume uni\b", "etranger"),
)

SYNONYMS: dict[str, str] = {}
for canonical, variants in {
    "gratification": (
        "gratif",
        "gratifs",
        "gratifie",
        "gratifiee",
        "indemnite",
        "indemnites",
        "indemnisation",
        "indemnise",
        "stipend",
    ),
    "salaire": (
        "paye",
        "paie",
        "remuneration",
        "remunere",
        "remuneree",
        "payer",
        "paid",
        "pay",
        "salary",
        "thune",
        "sous",
        "fric",
        "tune",
    ),
    "entreprise": (
        "boite",
        "boites",
        "boulot",
        "societe",
        "societes",
        "organisme",
        "structure",
        "company",
        "taf",
        "employeur",
    ),
    "stage": ("pfe", "stages", "internship", "stag"),
    "convention": ("conv", "convent", "conventions", "contrat_stage"),
    "alternance": ("alternant", "alternante", "alternants", "alt", "alternances", "alterne", "alternee"),
    "apprentissage": ("apprenti", "apprentie", "apprentis", "apprenties", "cfa"),
    "teletravail": ("remote", "distanciel", "tt", "homeoffice"),
    "soutenance": ("oral", "soutenir", "soutenances", "defense"),
    "rapport": ("memoire", "rapports"),
    "minimum": ("min", "minimale", "minimal", "mini", "minimum", "moins"),
    "maximum": ("max", "maximale", "maximal", "maxi"),
    "duree": ("longueur", "long", "longtemps", "durer", "dure"),
    "absence": ("absent", "absente", "absences", "absenter", "louper", "rater", "rate", "manquer", "secher"),
    "restaurant": ("resto", "cantine", "restauration", "cafeteria"),
    "visio": ("visioconference", "distanciel", "zoom", "teams"),
    "maladie": ("malade", "arret", "sick"),
    "harcelement": ("harcele", "harcelee", "harceler", "harceleur"),
    "signature": ("signer", "signe", "signee", "signatures", "signataire", "signataires"),
    "tuteur": ("tutrice", "tuteurs", "tutrices", "maitre"),
    "combien": ("cb", "cmb", "cbn", "combien"),
    "quoi": ("koi", "kwa", "quoi"),
    "quel": ("kel", "kelle", "quelle", "quels", "quelles", "lequel", "laquelle"),
    "comment": ("cmt", "coment", "cment"),
    "quand": ("qd", "kan", "quand"),
    "jour": ("jours", "journee", "journees", "j"),
    "heure": ("heures", "h", "hr", "hrs"),
    "semaine": ("semaines", "sem"),
    "mois": ("moi",),
    "document": ("documents", "papiers", "papier", "pieces", "justificatifs", "docs", "doc"),
    "information": ("infos", "informations"),
    # Countries the guides do not single out: for the rules they are simply "abroad".
    "etranger": (
        "abroad",
        "international",
        "etrangers",
        "internationale",
        "espagne",
        "allemagne",
        "angleterre",
        "londres",
        "uk",
        "usa",
        "canada",
        "belgique",
        "italie",
        "portugal",
        "irlande",
        "japon",
        "chine",
        "maroc",
        "tunisie",
        "senegal",
        "australie",
        "dubai",
    ),
    "2": ("deux",),
    "3": ("trois",),
    "4": ("quatre",),
    "5": ("cinq",),
    "6": ("six",),
    "salarie": ("salaries", "employes", "employe", "effectif", "effectifs", "personnes", "staff"),
    "stagiaire": ("stagiaires", "intern", "interns"),
    "date": ("dates", "calendrier", "planning"),
    "contact": ("contacter", "joindre", "ecrire", "mail", "email", "adresse", "mel", "courriel"),
    "rompre": (
        "rupture",
        "arreter",
        "quitter",
        "demission",
        "demissionner",
        "stopper",
        "interrompre",
        "interruption",
        "abandonner",
    ),
    "avenant": ("avenants", "prolonger", "prolongation", "prolongement", "modifier", "modification"),
    "offre": ("offres", "annonce", "annonces", "propositions", "proposition"),
    "obligatoire": ("oblige", "obligee", "obligatoirement", "forcement", "doit", "mandatory"),
    "refuse": ("refuser", "refusee", "refus", "interdit", "interdits", "autorise", "accepte", "accepter", "ko"),
    "sujet": ("sujets", "mission", "missions", "taches", "tache", "poste"),
    "note": ("notes", "notation", "evaluation", "evalue", "bareme"),
    "conge": ("conges", "vacances", "repos"),
}.items():
    for variant in variants:
        SYNONYMS[variant] = canonical

STOPWORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "de",
        "du",
        "et",
        "en",
        "au",
        "aux",
        "a",
        "ce",
        "cet",
        "cette",
        "ces",
        "que",
        "qui",
        "se",
        "sa",
        "son",
        "ses",
        "sur",
        "sous",
        "par",
        "pour",
        "avec",
        "dans",
        "je",
        "tu",
        "il",
        "elle",
        "on",
        "nous",
        "vous",
        "ils",
        "elles",
        "me",
        "te",
        "moi",
        "toi",
        "lui",
        "leur",
        "leurs",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "tes",
        "notre",
        "nos",
        "votre",
        "vos",
        "est",
        "es",
        "suis",
        "sont",
        "etre",
        "etait",
        "ete",
        "ai",
        "as",
        "avons",
        "avez",
        "ont",
        "avoir",
        "fait",
        "faire",
        "faut",
        "dois",
        "doit",
        "doivent",
        "peux",
        "peut",
        "pouvez",
        "peuvent",
        "svp",
        "stp",
        "merci",
        "bonjour",
        "salut",
        "hello",
        "slt",
        "cc",
        "coucou",
        "bonsoir",
        "please",
        "y",
        "ne",
        "pas",
        "plus",
        "bien",
        "tres",
        "trop",
        "si",
        "ou",
        "donc",
        "mais",
        "car",
        "alors",
        "aussi",
        "encore",
        "deja",
        "il",
        "ya",
        "ca",
        "cela",
        "ceci",
        "c",
        "est-ce",
        "est",
        "ce",
        "quoi",
        "genre",
        "truc",
        "bref",
        "ok",
        "oui",
        "non",
        "vrai",
        "est",
        "svp",
        "question",
        "dire",
        "sais",
        "savoir",
        "veux",
        "voudrais",
        "aimerais",
        "besoin",
        "the",
        "is",
        "what",
        "how",
        "do",
        "i",
        "my",
        "of",
        "to",
        "in",
        "for",
        "mr",
        "mme",
        "madame",
        "monsieur",
        "desole",
        "excusez",
        "bonne",
        "journee",
        "cordialement",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "comment",
        "jai",
        "puis",
    ]
) - {"quoi", "moins"}


def fold(text: str) -> str:
    """Lower case, accents removed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_plain(text: str) -> str:
    """Folded, with straight and curly apostrophes as spaces ("l'offre" reads "l offre"), for phrase rules."""
    return fold(text).replace("'", " ").replace("\u2019", " ")


# Words naming a programme or a level: they scope a question, they do not say what it is about.
SCOPE_WORDS = frozenset({"l3", "miag", "lill", "allsh", "amu", "licenc"})

_STEMMER = snowballstemmer.stemmer("french")


@lru_cache(maxsize=16384)
def stem(token: str) -> str:
    """The French Snowball stem of a folded token ("envoie", "envoyer" -> "envoi"); numbers kept."""
    if token.isdigit() or len(token) < 4:
        return token
    return str(_STEMMER.stemWord(token))


@lru_cache(maxsize=1)
def _stemmed_synonyms() -> dict[str, str]:
    # Inflected forms of a variant ("mails", "annonces") reach its canonical word through the stem.
    return {stem(variant): canonical for variant, canonical in SYNONYMS.items() if len(variant) > 3}


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """Content words of a question, before stemming: folded, elisions cut, slang and synonyms mapped,
    stopwords dropped."""
    folded = _ELISION.sub(" ", fold(text))
    folded = _NON_WORD.sub(" ", folded)
    for pattern, replacement in PHRASES:
        folded = re.sub(pattern, replacement, folded)
    out: list[str] = []
    for raw in folded.split():
        word = SYNONYMS.get(raw) or _stemmed_synonyms().get(stem(raw), raw)
        if word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
            continue
        out.append(word)
    return tuple(out)


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """The stems of a question's content words: what the search index compares."""
    return tuple(stem(word) for word in words(text))
