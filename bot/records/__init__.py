"""One small repository per kind of record of the SQLite file (bot/store.py), each returning dataclasses.

    ProgrammeChoices  programmes.py  user_programmes, guild_programmes: who follows which programme
    Meta              meta.py        meta: the asker salt and one-off markers
    Answers           answers.py     answers: what Discord answered, and the askers' feedback
    Questions         questions.py   questions: what the knowledge base answered badly or not at all
    OfferRecords      offers.py      offers: every offer seen, its status and where it was posted

The SQL of these tables lives here and nowhere else; callers get typed records and never decode a
JSON column. A repository writes through the store's connection, so its calls made inside
``Store.transaction()`` land with the rest of that transaction. The mailbox's own tables
(mailboxes, mails, actions, audit, replies, outbox, deliveries) belong to bot/mail.
"""
