"""Label the former blind question batches with the entry that carries their facts.

    PYTHONPATH=. .venv/bin/python scripts/label_questions.py > tests/data/labelled/entry-labels.txt

A former blind batch (tests/data/labelled/questions-batch*.txt) gives each question the facts a right
answer must hold, not an entry. This writes, for every in-scope question, the entry of its programme
whose answer holds every fact; when several do, the one the search and the classifier trained on the
phrasings alone rank highest together (then the first id).
Questions that no single entry answers (two entries, a verdict or a calculation) are left out; an
out-of-scope question is labelled with the classifier's own class for them, ``hors-champ``. The
output is training data for the entry classifier (python -m knowledge.train_entries): reviewed, then
committed, so that training never depends on the search of the day.
"""

import sys
from datetime import date

from bot.assistant.answer import index
from knowledge.entry_model import OUT_OF_SCOPE, EntryModel
from knowledge.figures import render
from knowledge.train_entries import fit
from rules.programmes import programme
from tests.knowledge.labelled import LABELLED, carries, read_set

DAY = date(2026, 11, 23)  # the figures in force when the batches were written


def main() -> int:
    search = index()
    phrasings = EntryModel.from_json(fit(questions=[]))  # the classifier trained on the phrasings alone
    out = sys.stdout
    out.write("# format: entry id | programme | question (written by scripts/label_questions.py)\n")
    for path in sorted(LABELLED.glob("questions-batch*.txt")):
        for case in read_set(path):
            if case.out_of_scope:
                out.write(f"{OUT_OF_SCOPE} | {case.programme} | {case.question}\n")
                continue
            ids = search.applicable_ids(programme(case.programme).id)
            holding = sorted(e for e in ids if carries(render(search.entry(e).answer, DAY), case.facts))
            if not holding:
                continue
            hits = search.search(case.question, programme=case.programme, limit=50)
            searched = {h.entry.id: i for i, h in enumerate(hits)}
            read = {e: i for i, (e, _) in enumerate(phrasings.rank(case.question, ids, limit=len(ids)))}
            # An entry may quote a figure in passing ("au-delà de 308 h, la gratification…"): the entry
            # both readers put first among those holding the facts is the one the question is about.
            label = min(holding, key=lambda e: (searched.get(e, len(searched)) + read[e], e))
            out.write(f"{label} | {case.programme} | {case.question}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
