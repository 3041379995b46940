"""The mailbox service end to end against Dovecot and aiosmtpd."""

import asyncio
import json
import sqlite3
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from bot.mail.imap import ImapError
from bot.mail.service import MailService, NeedsBacklogDecision, run_once
from bot.store import Store
from tests.servers import Dovecot, SmtpCollector, append, mailbox_counts

from .conftest import FOLDERS, labelled, mail_settings, renamed, settings_for

# offer, question answerable (durée minimale), question (gratification dates), incident urgent,
# automatic reply, convention, newsletter
SAMPLE = ["001", "080", "081", "053", "100", "021", "102"]


def _service(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector, **overrides: object) -> MailService:
    settings = settings_for(tmp_path, mail_settings(dovecot, smtp, **overrides))
    return MailService(settings, Store(settings.database))


def _counts(dovecot: Dovecot) -> dict[str, int]:
    return asyncio.run(mailbox_counts(dovecot.port, FOLDERS))


def test_mails_are_filed_routed_and_answered(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    raws = [labelled(p) for p in SAMPLE]
    asyncio.run(append(dovecot.port, raws))
    service = _service(tmp_path, dovecot, smtp)
    summary = asyncio.run(run_once(service, "process"))
    counts = _counts(dovecot)
    assert counts["INBOX"] == 0
    assert counts["Triage/Offres"] == 1 and counts["Triage/Incidents"] == 1 and counts["Triage/Questions"] == 2
    assert counts["Triage/Autres"] == 2 and counts["Triage/Conventions"] == 1
    assert summary.urgent == 1 and sum(summary.categories.values()) == 7

    forwards = [m for m in smtp.messages if m.message["Subject"].startswith("[StageBot")]
    replies = [m for m in smtp.messages if m.message["Auto-Submitted"] == "auto-replied"]
    # Routing: each category to its officers, the urgent incident also to the direction.
    by_subject = {m.message["Subject"]: m for m in forwards}
    urgent = next(m for s, m in by_subject.items() if "URGENT" in s)
    assert set(urgent.rcpt_tos) == {"responsable@example.org", "direction@example.org"}
    body = urgent.message.get_payload()[0].get_payload(decode=True).decode()
    assert body.startswith("URGENT — Catégorie : incident")
    attached = urgent.message.get_payload()[1]
    assert attached.get_content_type() == "message/rfc822"
    original = attached.get_payload()[0]
    assert original["Message-ID"] == message_from_bytes(labelled("053"))["Message-ID"]
    assert not any("Autres" in m.message["Subject"] or "other" in m.message["Subject"] for m in forwards)

    # Automatic answers: only the questions the base answers, threaded, RFC 3834.
    assert len(replies) == 2
    for reply in replies:
        question = reply.message["In-Reply-To"]
        assert question in {message_from_bytes(labelled(p))["Message-ID"] for p in ("080", "081")}
        assert reply.message["References"].endswith(question)
        assert reply.message["Subject"].startswith("Re: ")
        assert reply.message["From"] == "stages@example.org"
        text = reply.message.get_payload(decode=True).decode()
        assert "Source :" in text and text.startswith("Bonjour")
    assert not any(r.rcpt_tos == ["claire.martin@acme-logiciels.fr"] for r in replies)  # automatic sender

    db = sqlite3.connect(tmp_path / "state.sqlite3")
    assert db.execute("SELECT count(*) FROM mails WHERE state = 'done'").fetchone()[0] == 7
    offer = json.loads(db.execute("SELECT data FROM offers").fetchone()[0])
    assert offer["kind"] == "stage" and offer["forward"] is True
    actions = {row[0] for row in db.execute("SELECT action FROM audit")}
    assert {"classé", "transfert", "réponse", "rangé", "offre"} <= actions

    # A second pass finds nothing new; a new mail is then handled alone.
    service2 = _service(tmp_path, dovecot, smtp)
    assert sum(asyncio.run(run_once(service2, None)).categories.values()) == 0
    asyncio.run(append(dovecot.port, [renamed(labelled("045"), "new-1@test")]))
    service3 = _service(tmp_path, dovecot, smtp)
    assert dict(asyncio.run(run_once(service3, None)).categories) == {"absence": 1}


def test_draft_mode_files_answers_for_approval(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    asyncio.run(append(dovecot.port, [labelled("080")]))
    service = _service(tmp_path, dovecot, smtp, mode="draft")
    summary = asyncio.run(run_once(service, "process"))
    assert summary.drafted == 1 and summary.replied == 0
    assert not any(m.message["Auto-Submitted"] == "auto-replied" for m in smtp.messages)
    assert _counts(dovecot)["Triage/Réponses à valider"] == 1


def test_first_start_asks_about_the_backlog(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    asyncio.run(append(dovecot.port, [labelled("080"), labelled("053")]))
    with pytest.raises(NeedsBacklogDecision, match="--backlog"):
        asyncio.run(run_once(_service(tmp_path, dovecot, smtp), None))
    # skip: old mail untouched, new mail handled.
    asyncio.run(run_once(_service(tmp_path, dovecot, smtp), "skip"))
    assert _counts(dovecot)["INBOX"] == 2 and not smtp.messages
    asyncio.run(append(dovecot.port, [renamed(labelled("080"), "after@test")]))
    asyncio.run(run_once(_service(tmp_path, dovecot, smtp), None))
    assert _counts(dovecot)["INBOX"] == 2 and len(smtp.messages) == 2  # routed + answered


def test_backlog_file_files_without_answering(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    asyncio.run(append(dovecot.port, [labelled("080"), labelled("053")]))
    summary = asyncio.run(run_once(_service(tmp_path, dovecot, smtp), "file"))
    assert sum(summary.categories.values()) == 2 and not smtp.messages
    assert _counts(dovecot)["INBOX"] == 0


def test_uidvalidity_change_does_not_repeat_actions(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    raws = [labelled("080"), labelled("021")]
    asyncio.run(append(dovecot.port, raws, mailbox="Stages"))
    asyncio.run(run_once(_service(tmp_path, dovecot, smtp, inbox="Stages"), "process"))
    sent = len(smtp.messages)

    async def recreate() -> None:
        from aioimaplib import IMAP4  # noqa: PLC0415

        from tests.servers import PASSWORD, USER  # noqa: PLC0415

        client = IMAP4(host="127.0.0.1", port=dovecot.port)
        await client.wait_hello_from_server()
        await client.login(USER, PASSWORD)
        assert (await client.delete("Stages")).result == "OK"
        await client.logout()

    asyncio.run(recreate())
    asyncio.run(append(dovecot.port, [*raws, renamed(labelled("045"), "fresh@test")], mailbox="Stages"))
    service = _service(tmp_path, dovecot, smtp, inbox="Stages")
    summary = asyncio.run(run_once(service, None))
    assert summary.duplicates == 2
    assert len(smtp.messages) == sent + 1  # only the new absence is routed
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    assert db.execute("SELECT count(*) FROM audit WHERE action = 'uidvalidity'").fetchone()[0] == 1


def test_smtp_refusing_recipients(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    routing = {"convention": ["inconnu@example.org", "conventions@example.org"], "absence": ["inconnu2@example.org"]}
    asyncio.run(append(dovecot.port, [labelled("021"), labelled("045")]))
    summary = asyncio.run(run_once(_service(tmp_path, dovecot, smtp, routing=routing), "process"))
    assert summary.review == 2
    assert [m.rcpt_tos for m in smtp.messages] == [["conventions@example.org"]]
    counts = _counts(dovecot)
    assert counts["Triage/À vérifier"] == 2 and counts["INBOX"] == 0
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    statuses = dict(db.execute("SELECT target, status FROM actions WHERE kind = 'route'").fetchall())
    assert statuses == {"inconnu@example.org, conventions@example.org": "done", "inconnu2@example.org": "failed"}


def test_one_automatic_answer_per_sender_and_period(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    asyncio.run(append(dovecot.port, [renamed(labelled("080"), f"again-{i}@test") for i in range(3)]))
    summary = asyncio.run(run_once(_service(tmp_path, dovecot, smtp), "process"))
    assert summary.replied == 1


def test_mail_too_large_is_kept_flagged_and_reported(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    big = labelled("021").replace(b"\r\n\r\n", b"\r\n\r\n" + b"x" * 5000 + b"\r\n", 1)
    asyncio.run(append(dovecot.port, [big]))
    summary = asyncio.run(run_once(_service(tmp_path, dovecot, smtp, max_bytes=2000), "process"))
    assert summary.review == 1
    assert _counts(dovecot)["Triage/À vérifier"] == 1


def test_keywords_filing_leaves_mail_in_place(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    asyncio.run(append(dovecot.port, [labelled("021"), labelled("053")]))
    asyncio.run(run_once(_service(tmp_path, dovecot, smtp, filing="keywords"), "process"))
    assert _counts(dovecot)["INBOX"] == 2

    async def flags() -> list[bytes]:
        from aioimaplib import IMAP4  # noqa: PLC0415

        from tests.servers import PASSWORD, USER  # noqa: PLC0415

        client = IMAP4(host="127.0.0.1", port=dovecot.port)
        await client.wait_hello_from_server()
        await client.login(USER, PASSWORD)
        await client.select("INBOX")
        response = await client.uid("fetch", "1:*", "(FLAGS)")
        await client.logout()
        return [bytes(line) for line in response.lines]

    text = b" ".join(asyncio.run(flags()))
    assert b"StageBot-convention" in text and b"StageBot-incident" in text and b"\\Flagged" in text
    # Once handled, a mail left in place is not handled again.
    summary = asyncio.run(run_once(_service(tmp_path, dovecot, smtp, filing="keywords"), None))
    assert sum(summary.categories.values()) == 0


def test_status_reports_what_needs_a_look(
    tmp_path: Path,
    dovecot: Dovecot,
    smtp: SmtpCollector,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.cli import main  # noqa: PLC0415

    routing = {"absence": ["inconnu2@example.org"]}
    asyncio.run(append(dovecot.port, [labelled("045"), b"\xff\xfe garbage without headers"]))
    asyncio.run(run_once(_service(tmp_path, dovecot, smtp, routing=routing), "process"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'database = "{tmp_path / "state.sqlite3"}"\n')
    assert main(["mail", "status"]) == 0
    out = capsys.readouterr().out
    assert "À vérifier (2)" in out and "route : failed" in out and "Expéditeur absent" in out
    assert main(["mail", "status", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["mails"] == 2 and len(found["review"]) == 2


@pytest.mark.parametrize(("security", "use_tls_port"), [("tls", True), ("starttls", False)])
def test_imap_over_tls_and_starttls(tmp_path: Path, smtp: SmtpCollector, security: str, use_tls_port: bool) -> None:
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    root = Path(tempfile.mkdtemp(prefix="stagebot-dovecot-tls-"))
    root.chmod(0o755)
    server = Dovecot(root / "d", tls=True)
    server.start()
    try:
        asyncio.run(append(server.port, [labelled("045")]))
        port = server.tls_port if use_tls_port else server.port
        overrides = {"imap_port": port, "imap_security": security, "ca_file": str(server.certificate)}
        summary = asyncio.run(run_once(_service(tmp_path, server, smtp, **overrides), "process"))
        assert dict(summary.categories) == {"absence": 1}
        # Without the authority, the self-signed certificate is refused: no silent downgrade.
        (tmp_path / "other").mkdir()  # StageBot never creates the database's folder (issue 11 point 14)
        with pytest.raises(ImapError, match="injoignable"):
            asyncio.run(
                run_once(_service(tmp_path / "other", server, smtp, imap_port=port, imap_security=security), None)
            )
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_smtp_over_tls_and_starttls(tmp_path: Path, dovecot: Dovecot, security: str) -> None:
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from tests.servers import Dovecot as Certified  # noqa: PLC0415

    # A self-signed certificate for 127.0.0.1, made the same way as the TLS Dovecot's.
    certs = Certified(Path(tempfile.mkdtemp(prefix="stagebot-cert-")), tls=True)
    server = SmtpCollector(tls=security, certificate=certs.certificate, key=certs.root / "key.pem")
    server.start()
    try:
        asyncio.run(append(dovecot.port, [labelled("045")]))
        overrides = {"smtp_security": security, "ca_file": str(certs.certificate)}
        summary = asyncio.run(run_once(_service(tmp_path, dovecot, server, **overrides), "process"))
        assert summary.routed == 1 and len(server.messages) == 1
    finally:
        server.stop()
        shutil.rmtree(certs.root, ignore_errors=True)
        shutil.rmtree(certs.root, ignore_errors=True)


def test_a_mail_the_classifier_chokes_on_is_kept_for_review(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.mail.service as service_module  # noqa: PLC0415

    real = service_module.decide

    def flaky(mail: Any, *args: Any) -> Any:
        if "Hugo" in mail.body:
            raise RuntimeError("bug")
        return real(mail, *args)

    monkeypatch.setattr(service_module, "decide", flaky)
    asyncio.run(append(dovecot.port, [labelled("045"), labelled("021")]))  # 045 mentions Hugo
    summary = asyncio.run(run_once(_service(tmp_path, dovecot, smtp), "process"))
    assert sum(summary.categories.values()) == 2 and summary.review == 1
    counts = _counts(dovecot)
    assert counts["Triage/À vérifier"] == 1 and counts["Triage/Conventions"] == 1 and counts["INBOX"] == 0


def test_a_mail_half_done_when_uidvalidity_changes_is_finished_not_left_planned(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    from aioimaplib import IMAP4  # noqa: PLC0415

    from bot.mail.imap import ImapError as Lost  # noqa: PLC0415
    from bot.mail.records import mailbox_status as status  # noqa: PLC0415
    from bot.mail.smtp import SmtpOutbox  # noqa: PLC0415
    from tests.servers import PASSWORD, USER  # noqa: PLC0415

    raws = [labelled("021"), labelled("045")]
    asyncio.run(append(dovecot.port, raws, mailbox="Stages"))
    service = _service(tmp_path, dovecot, smtp, inbox="Stages")
    real = SmtpOutbox(service.mail)

    class CutAfterSending:
        """Sends, then the IMAP connection goes: the forward is done, the filing is not."""

        async def send(self, sender: str, recipients: list[str], data: bytes) -> Any:
            outcomes = await real.send(sender, recipients, data)
            assert service.imap is not None
            await service.imap.close()
            return outcomes

        async def close(self) -> None:
            await real.close()

    service.outbox = service.postman.outbox = CutAfterSending()
    with pytest.raises(Lost):
        asyncio.run(run_once(service, "process"))
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    assert db.execute("SELECT state FROM mails").fetchall() == [("planned",)]
    assert len(smtp.messages) == 1

    async def recreate(with_mails: list[bytes]) -> None:
        client = IMAP4(host="127.0.0.1", port=dovecot.port)
        await client.wait_hello_from_server()
        await client.login(USER, PASSWORD)
        await client.delete("Stages")
        await client.logout()
        await append(dovecot.port, with_mails, mailbox="Stages")

    asyncio.run(recreate(raws))  # a new UIDVALIDITY, both mails still there
    asyncio.run(run_once(_service(tmp_path, dovecot, smtp, inbox="Stages"), None))
    assert db.execute("SELECT count(*) FROM mails WHERE state != 'done'").fetchone()[0] == 0
    assert len(smtp.messages) == 2  # the half-done mail's forward was not sent again; the other was sent
    assert db.execute("SELECT count(*) FROM audit WHERE action = 'repris'").fetchone()[0] == 1
    assert _counts(dovecot)["INBOX"] == 0
    counts = asyncio.run(mailbox_counts(dovecot.port, ["Stages", "Triage/Conventions", "Triage/Absences"]))
    assert counts == {"Stages": 0, "Triage/Conventions": 1, "Triage/Absences": 1}

    # Gone for good under the new UIDVALIDITY: listed for review, never "planned" forever.
    asyncio.run(append(dovecot.port, [renamed(labelled("053"), "gone@test")], mailbox="Stages"))
    service = _service(tmp_path, dovecot, smtp, inbox="Stages")
    service.outbox = service.postman.outbox = CutAfterSending()
    real = SmtpOutbox(service.mail)
    with pytest.raises(Lost):
        asyncio.run(run_once(service, None))
    asyncio.run(recreate([]))
    asyncio.run(run_once(_service(tmp_path, dovecot, smtp, inbox="Stages"), None))
    assert db.execute("SELECT count(*) FROM mails WHERE state = 'planned'").fetchone()[0] == 0
    found = status(Store(tmp_path / "state.sqlite3"))
    assert any("UIDVALIDITY" in " ".join(r["why"]) for r in found["review"])


def test_one_instance_per_mailbox(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415
    import time  # noqa: PLC0415

    from tests.servers import PASSWORD  # noqa: PLC0415

    from .test_crash import _config  # noqa: PLC0415

    asyncio.run(append(dovecot.port, [labelled("045")]))
    config = _config(tmp_path, dovecot, smtp)
    env = {**os.environ, "STAGEBOT_MAIL__PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "bot", "--config", str(config), "mail"]
    cwd = Path(__file__).resolve().parents[2]
    first = subprocess.Popen([*command, "run", "--backlog", "process"], env=env, cwd=cwd, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(smtp.messages) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        for args in (["once"], ["run"]):
            second = subprocess.run([*command, *args], env=env, cwd=cwd, capture_output=True, timeout=60, check=False)
            assert second.returncode == 2
            lines = second.stderr.decode().strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("Un autre StageBot traite déjà la messagerie"), lines
    finally:
        first.send_signal(signal.SIGTERM)
        _, err = first.communicate(timeout=30)
    assert first.returncode == 0, err.decode()
    assert len(smtp.messages) == 1  # nothing sent twice
    # Once the first has stopped, the lock is free again.
    again = subprocess.run([*command, "once"], env=env, cwd=cwd, capture_output=True, timeout=60, check=False)
    assert again.returncode == 0, again.stderr.decode()


def test_a_backlog_of_hundreds_of_mails_is_listed_with_its_sizes(dovecot: Dovecot) -> None:
    # aioimaplib reads the lines of one answer recursively: sizes are asked by slices of 100.
    from bot.mail.imap import Imap  # noqa: PLC0415
    from tests.servers import PASSWORD, USER  # noqa: PLC0415

    tiny = [f"From: a{i}@example.org\r\nSubject: {i}\r\n\r\nx\r\n".encode() for i in range(650)]
    asyncio.run(append(dovecot.port, tiny))

    async def listing() -> tuple[list[int], dict[int, int]]:
        imap = Imap("127.0.0.1", dovecot.port, "none")
        await imap.connect(USER, PASSWORD)
        await imap.select("INBOX")
        uids = await imap.uids_after(0)
        sizes = dict(imap.sizes)
        fetched = await imap.fetch(uids[-1], 1000)
        await imap.logout()
        assert fetched is not None and fetched.raw.startswith(b"From: a649@")
        return uids, sizes

    uids, sizes = asyncio.run(listing())
    assert uids == list(range(1, 651)) and len(sizes) == 650
