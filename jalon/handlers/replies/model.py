"""A light statistical second opinion on a reply's intent, for the replies the phrase tables leave at `other`
or decide only weakly: multinomial naive Bayes over the words, word pairs, meaning classes and word pieces of
the normalised new text, trained at first use from `examples.jsonl` (the team's labelled replies and the tune
split of the blind set, see `build_examples`; rebuilt by `python -m jalon.handlers.replies.train`). It says
which n-grams weighed most, so the decision stays explainable.

    opinion(new_text) -> Opinion(posterior, evidence)

Complexity is capped on purpose (features seen in at least `MIN_DF` replies, at most `MAX_FEATURES` of them,
chosen by how much they tell intents apart): the model is there to read unfamiliar wording of familiar
meanings, not to remember the replies it was trained on.
"""

from __future__ import annotations

import csv
import email
import json
import logging
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email import policy
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from jalon.handlers import quotes

LOG = logging.getLogger(__name__)
EXAMPLES = Path(__file__).with_name("examples.jsonl")
MIN_DF = 3  # a feature seen in one or two replies is those replies, not a way of saying something
MAX_FEATURES = 5000
ALPHA = 0.1  # additive smoothing
MAX_CHARS = 3000  # characters of normalised text read: the answer is at the top

# Words grouped by meaning, so that "mandat", "chèque" and "remittance" weigh together (folded spellings).
CONCEPTS = {
    "INVOICE": r"factur\w*|fact|invoices?|inv|bills?",
    "MONEY": r"virements?|paiements?|payements?|reglements?|cheques?|mandat\w*|fonds|wire|transfers?"
    r"|payments?|remittances?|funds|money|argent|prelevements?|versements?|bacs|somme",
    "PAY": r"payer|regler|virer|verser|solder|honorer|pay|settle|remit|paying|settling",
    "WILL_PAY": r"paierons|payerons|reglerons|paierai|reglerai|payerai|virerons|verserons",
    "PAID": r"payee?s?|reglee?s?|viree?s?|versee?s?|soldee?s?|acquittee?s?|debitee?s?|encaissee?s?|paid"
    r"|payed|settled|remitted|wired|debited|cleared",
    "LATER": r"demain|tomorrow|prochaine?s?|next|bientot|soon|shortly|semaine|week|lundi|mardi|mercredi|jeudi"
    r"|vendredi|monday|tuesday|wednesday|thursday|friday|fin|end|d'ici|within|sous",
    "FUTURE": r"will|'ll|shall|going|sera|seront|va|vont|allons|vais|devrait|pourra|part|partira",
    "BEFORE": r"hier|yesterday|ago|deja|already|last|dernier|derniere|depuis",
    "SEND": r"envoy\w*|envoi\w*|transmet\w*|transmi\w*|transf\w*|adresse[rz]|parvenir|send|sent|forward\w*"
    r"|share|provide|passer",
    "AGAIN": r"renvoy\w*|renvoi\w*|resend\w*|refaire|again|once|nouveau|copie|copy|duplicata|duplicate"
    r"|double|retransm\w*",
    "ARRIVE": r"recu\w*|recus|parvenu\w*|arrive\w*|received|receive|got|reach\w*",
    "ATTACHED": r"pieces?|jointe?s?|pj|attach\w*|pdf|fichiers?|files?|dedans|enclos\w*",
    "BROKEN": r"vide|empty|blank|corrompu\w*|corrupt\w*|illisible|unreadable|damaged|endommag\w*|ouvrir|open"
    r"|lire|read",
    "FIND": r"trouv\w*|retrouv\w*|find|found|locate\w*|trace|search\w*|cherch\w*",
    "LACK": r"manqu\w*|missing|oubli\w*|forgot|without|sans|joint",
    "AWAY": r"absente?s?|absence|conges|vacances|holidays?|leave|office|retour|return|back|ferme\w*|closed",
    "NEED": r"besoin|need\w*|require\w*|faut|obligatoire|mandatory|necessaire|exig\w*|attend\w*|await\w*"
    r"|bloquee?|blocked|rejet\w*|rejected",
    "REFERENCE": r"bons?|commande|po|purchase|order|engagement|reference|numero|number|code|siret|siren|tva"
    r"|vat|livraison|delivery|pv|proces-verbal|attestation|justificatif\w*|timesheets?|chorus",
    "WRONG": r"erreur|errone\w*|faux|fausse|incorrect\w*|wrong|inexact\w*|errors?|mistakes?|higher|excessi\w*"
    r"|superieur\w*|trop",
    "PRICE": r"prix|tarifs?|montants?|rates?|prices?|amounts?|totals?|ttc|ht|heures|hours|quantit\w*|devis"
    r"|quote|forfait|contrat|contract|msa|sla",
    "CANCEL": r"annul\w*|cancel\w*|resili\w*|retourn\w*|returned|avoir|credit|rembours\w*|refund\w*|litige"
    r"|dispute\w*|contest\w*",
    "CONTACT": r"adresse|address|contact|interlocut\w*|e-?mail|boite|mailbox|collegue|colleague|comptable"
    r"|accountant|cabinet|email_address",
    "CHANGE": r"desormais|dorenavant|nouvel\w*|nouveaux?|new|future|avenir|prochaines|change\w*|modifi\w*"
    r"|longer|quitte|retraite|instead|remplac\w*",
    "NOTED": r"noted|note|enregistr\w*|accus\w*|reception|receipt|traitement|processing|processed|transmis"
    r"|forwarded|valid\w*",
    "THANKS": r"merci|thanks|thank|remerci\w*",
    "ASK": r"pourquoi|comment|combien|quel\w*|quand|why|how|what|which|when|possible|est-ce|\?",
    "NOT": r"pas|ne|n'|jamais|aucun\w*|rien|not|no|never|nothing|none|nope|\w+n't",
}
CONCEPT_OF = [(name, re.compile(f"(?:{pattern})$")) for name, pattern in CONCEPTS.items()]
# Where the message ends: a closing formula on its own line, then the signature and disclaimers.
CLOSING = re.compile(
    r"^\W*(?:cordialement|bien (?:a vous|cordialement)|bonne (?:journee|soiree|fin de)|cdt|cdlt|salutations"
    r"|sinceres|best(?: regards| wishes)?|kind regards|warm regards|regards|many thanks|thanks,?$|merci,?$"
    r"|thank you,?$|bises|a bientot|mit freundlichen|sent from|envoye de)",
    re.MULTILINE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|www\.)\S+")
WORD = re.compile(r"\?|[a-z0-9]+(?:'[a-z]+)?")
ELIDED = re.compile(r"^(?:l|d|j|n|s|c|m|t|qu|jusqu|lorsqu|puisqu)'")


@dataclass(frozen=True)
class Opinion:
    """The model's reading: a probability per intent and the n-grams that weighed most for the likeliest."""

    posterior: dict[str, float]
    evidence: list[str]

    @property
    def intent(self) -> str:
        return max(self.posterior, key=self.posterior.__getitem__)


# --- features ---------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Folded text up to the closing formula, addresses and numbers reduced to what they are."""
    folded = quotes.fold(text[: MAX_CHARS * 2])
    closing = CLOSING.search(folded)
    if closing and closing.start() > 20:
        folded = folded[: closing.start()]
    folded = EMAIL.sub(" email_address ", URL.sub(" url ", folded))
    return re.sub(r"\d+", "0", folded)[:MAX_CHARS]


def tokens(text: str) -> list[str]:
    """Words of normalised text, an elided article split off its word ("l'avoir" -> "l'", "avoir")."""
    words = []
    for word in WORD.findall(text):
        elided = ELIDED.match(word)
        if elided and elided.end() < len(word):
            words += [word[: elided.end()], word[elided.end() :]]
        else:
            words.append(word)
    return words


@lru_cache(maxsize=20_000)
def concept(word: str) -> str | None:
    for name, regex in CONCEPT_OF:
        if regex.match(word):
            return name
    return None


def features(text: str) -> set[str]:
    """Words, word pairs, meaning classes and their pairs, and 4-5 letter pieces of words (typos, endings)."""
    words = tokens(normalise(text))
    found = {f"w:{word}" for word in words}
    found.update(f"b:{a}_{b}" for a, b in pairwise(words))
    classes = [concept(word) or word for word in words]
    found.update(f"k:{name}" for name in classes if name.isupper())
    found.update(f"kb:{a}_{b}" for a, b in pairwise(classes) if a.isupper() or b.isupper())
    for word in set(words):
        if len(word) >= 4:
            padded = f"<{word}>"
            found.update(f"c:{padded[i : i + n]}" for n in (4, 5) for i in range(len(padded) - n + 1))
    return found


# --- the model --------------------------------------------------------------------------------------------


class NaiveBayes:
    """Multinomial naive Bayes over binary features, uniform priors (the training mix is no base rate)."""

    def __init__(self, alpha: float = ALPHA, min_df: int = MIN_DF, max_features: int = MAX_FEATURES) -> None:
        self.alpha, self.min_df, self.max_features = alpha, min_df, max_features
        self.intents: list[str] = []
        self.weights: dict[str, tuple[float, ...]] = {}  # feature -> log P(feature | intent), per intent

    def fit(self, samples: Sequence[set[str]], labels: Sequence[str]) -> NaiveBayes:
        frequency = Counter(feature for sample in samples for feature in sample)
        kept = [feature for feature, count in frequency.items() if count >= self.min_df]
        per_intent: dict[str, Counter[str]] = defaultdict(Counter)
        for sample, label in zip(samples, labels, strict=True):
            per_intent[label].update(sample)
        self.intents = sorted(per_intent)
        vocabulary = _most_telling(kept, per_intent, Counter(labels), self.max_features)
        totals = [
            sum(per_intent[intent][feature] for feature in vocabulary) + self.alpha * len(vocabulary)
            for intent in self.intents
        ]
        self.weights = {
            feature: tuple(
                math.log((per_intent[intent][feature] + self.alpha) / total)
                for intent, total in zip(self.intents, totals, strict=True)
            )
            for feature in vocabulary
        }
        return self

    def scores(self, sample: Iterable[str]) -> dict[str, float]:
        rows = [self.weights[feature] for feature in sample if feature in self.weights]
        sums = map(sum, zip(*rows, strict=True)) if rows else (0.0 for _ in self.intents)
        return dict(zip(self.intents, sums, strict=True))

    def posterior(self, sample: Iterable[str], temperature: float = 1.0) -> dict[str, float]:
        """P(intent | features); a temperature above 1 tempers naive Bayes' overconfidence."""
        scores = self.scores(sample)
        top = max(scores.values())
        weights = {intent: math.exp((score - top) / temperature) for intent, score in scores.items()}
        total = sum(weights.values())
        return {intent: weight / total for intent, weight in weights.items()}

    def telling(self, sample: Iterable[str], intent: str, count: int = 5) -> list[str]:
        """The features of a sample that speak most for `intent` against the other intents."""
        index = self.intents.index(intent)

        def lift(feature: str) -> float:
            row = self.weights[feature]
            return row[index] - max((value for i, value in enumerate(row) if i != index), default=0.0)

        lifts = {feature: lift(feature) for feature in set(sample) if feature in self.weights}
        # Words, word pairs and meaning classes say more to a reader than pieces of words: they come first.
        best = sorted(
            (feature for feature in lifts if lifts[feature] > 0),
            key=lambda feature: (feature.startswith("c:"), -lifts[feature], feature),
        )
        return best[:count]


def _most_telling(
    features_: list[str], per_intent: dict[str, Counter[str]], sizes: Counter[str], limit: int
) -> list[str]:
    """The `limit` features whose presence says most about the intent (information gain)."""
    total = sum(sizes.values())

    def entropy(counts: Iterable[float]) -> float:
        counts = list(counts)
        n = sum(counts)
        return -sum(c / n * math.log(c / n) for c in counts if c) if n else 0.0

    base = entropy(sizes.values())

    def gain(feature: str) -> float:
        present = [per_intent[intent][feature] for intent in sizes]
        absent = [sizes[intent] - count for intent, count in zip(sizes, present, strict=True)]
        n_present = sum(present)
        return base - (n_present * entropy(present) + (total - n_present) * entropy(absent)) / total

    return sorted(features_, key=lambda feature: (-gain(feature), feature))[:limit]


# --- training data ----------------------------------------------------------------------------------------


def load_examples(path: Path = EXAMPLES) -> list[tuple[str, str]]:
    """(intent, new text) pairs, one JSON object per line."""
    with path.open(encoding="utf-8") as handle:
        return [(row["intent"], row["text"]) for row in map(json.loads, handle) if row.get("intent")]


@lru_cache(maxsize=1)
def trained() -> NaiveBayes:
    """The model trained on the shipped examples, once per process (a few hundred milliseconds)."""
    examples = load_examples()
    return NaiveBayes().fit([features(text) for _, text in examples], [intent for intent, _ in examples])


def opinion(new_text: str, temperature: float = 1.0, model: NaiveBayes | None = None) -> Opinion | None:
    """The reading of a reply's new text by `model` (the shipped one by default); None when that cannot be
    loaded (the phrases then decide alone: a missing or damaged examples file must not stop replies)."""
    if model is None:
        try:
            model = trained()
        except (OSError, ValueError, KeyError, TypeError) as error:
            _unavailable(str(error))
            return None
    sample = features(new_text)
    posterior = model.posterior(sample, temperature)
    best = max(posterior, key=posterior.__getitem__)
    return Opinion(posterior, [feature.split(":", 1)[1] for feature in model.telling(sample, best)])


@lru_cache(maxsize=1)
def _unavailable(error: str) -> None:  # said once per process
    LOG.warning("reply model unavailable, phrases decide alone: %s", error)


def folds(count: int, parts: int = 10, seed: int = 1) -> list[list[int]]:
    """Indices 0..count-1 shuffled (reproducibly) into `parts` folds for cross-validation."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return [order[part::parts] for part in range(parts)]


def cross_validate(examples: Sequence[tuple[str, str]], parts: int = 10, seed: int = 1) -> float:
    """Share of examples the model reads right when trained on the other folds."""
    samples = [features(text) for _, text in examples]
    labels = [intent for intent, _ in examples]
    right = 0
    for held in folds(len(examples), parts, seed):
        out = set(held)
        rest = [i for i in range(len(examples)) if i not in out]
        model = NaiveBayes().fit([samples[i] for i in rest], [labels[i] for i in rest])
        right += sum(_argmax(model.scores(samples[i])) == labels[i] for i in held)
    return right / len(examples)


def _argmax(scores: dict[str, float]) -> str:
    return max(scores, key=scores.__getitem__)


def build_examples(team: Path, *blind: Path) -> list[dict[str, str]]:
    """The training examples: every labelled team reply and the blind sets' tune splits (never a final
    split), as the new text jalon reads after removing quotes and signature."""
    rows: list[dict[str, str]] = []
    tune_only = lambda row: row.get("split") == "tune"  # noqa: E731
    for folder, keep in ((team, lambda row: True), *((folder, tune_only) for folder in blind)):
        with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if not keep(row):
                    continue
                message = email.message_from_bytes((folder / row["file"]).read_bytes(), policy=policy.default)
                text = quotes.strip_quotes(quotes.body_text(message)).strip()
                rows.append({"file": f"{folder.name}/{row['file']}", "intent": row["intent"], "text": text})
    return rows


def main() -> None:  # pragma: no cover - a maintenance command
    """examples.jsonl rebuilt from the labelled sets (TESTS_DATA_DIR, default tests/data), and its CV."""
    import sys

    data = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data")
    blind = ("replies_blind", "replies_blind3", "replies_blind4")  # each written by another hand
    rows = build_examples(data / "replies", *(data / name for name in blind))
    with EXAMPLES.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} examples written to {EXAMPLES}")
    accuracy = cross_validate([(row["intent"], row["text"]) for row in rows])
    print(f"model alone, 10-fold cross-validation: {accuracy:.1%}")
