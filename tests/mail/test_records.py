"""The mailbox's repositories read rows as written by earlier versions, and the report needs no mail library."""

import subprocess
import sys
from pathlib import Path

from bot.mail.records import ActionRecord, MailRecord, Records, mailbox_status
from bot.mail.states import ActionKind, ActionStatus, MailState
from bot.store import Store

ROOT = Path(__file__).resolve().parents[2]


def test_rows_written_with_the_stored_strings_read_as_dataclasses() -> None:
    store = Store(":memory:")
    db = store.db
    # As the service wrote them before the enums: bare strings.
    db.execute(
        "INSERT INTO mails (mailbox, uidvalidity, uid, message_id, digest, sender, subject, category, urgent,"
        " programme, decision, state, review, received_at) VALUES"
        " ('INBOX', 1, 5, '<a@x>', 'd', 'a@x', 'Objet', 'question', 0, 'paris1-miage', '{\"problems\": []}',"
        " 'planned', 1, '2026-01-01T00:00:00+00:00')"
    )
    db.execute(
        "INSERT INTO actions (mail_id, position, kind, status, target, message_id, detail, updated_at)"
        " VALUES (1, 0, 'reply', 'uncertain', 'a@x', '<stagebot.1.reply@x>', 'envoi interrompu', 'now'),"
        " (1, 1, 'file', 'pending', 'Triage/Questions', NULL, '', 'now')"
    )
    records = Records(store)
    mail = records.mails.planned("INBOX", 1)[0]
    assert isinstance(mail, MailRecord) and mail.state is MailState.PLANNED and mail.review is True
    opened = records.actions.open(1)
    assert [(a.kind, a.status) for a in opened] == [(ActionKind.FILE, ActionStatus.PENDING)]
    assert isinstance(opened[0], ActionRecord)
    assert records.actions.statuses(1) == {"reply": "uncertain", "file": "pending"}
    report = mailbox_status(store)
    assert report["unfinished"] == 1
    assert report["review"][0]["why"] == ["reply : uncertain envoi interrompu"]


def test_the_status_report_loads_no_mail_library() -> None:
    # Discord asks for it: it must not pull aioimaplib and aiosmtplib in.
    code = (
        "import sys, bot.mail.records; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'aioimaplib', 'aiosmtplib', 'bs4'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
