"""A reply costs a fixed, small number of SQL statements until its response.

Under 8 writers each statement is a round trip taken while the topic's row
(PostgreSQL) or the database (SQLite) is locked, so the count is kept, not
just bounded (bench/write_bench.py measures the throughput).
"""

import uuid

from forum.extensions import db
from tests.conftest import counting_statements, login, read_settings_once

#: member, topic; the submission claim (in the reply's transaction, at its first write;
#: the watched words are the process's copy, forum/review/words.py); topic
#: counters and number, post, search outbox, notification job (the fan-out made
#: after the response is lost to no killed worker, forum/notifications/outbox.py),
#: author counters, read position, category counters; the submission's result (in
#: autocommit, forum/idempotency.py). On PostgreSQL the post, its outbox row and its
#: job are one statement, and so are the three counters (data-modifying CTEs,
#: forum/boards/reply_sql.py).
REPLY_STATEMENTS = {"sqlite": 11, "postgresql": 7}


def test_a_reply_runs_a_fixed_number_of_statements_until_its_response(app, client, make):
    author = make.user("zaehlerin")
    make.post(make.topic(author), author, "Schon einmal geschrieben (nicht mehr neu).")
    topic = make.topic(make.user("fragerin"), make.category(read_level="members"), "Wer hilft?")
    login(client, author)
    read_settings_once(client)
    counts = []
    for text in ("Ich helfe am Montag.", "Und am Dienstag auch."):
        with counting_statements(app) as statements:
            response = client.post(
                f"/t/{topic.id}/reply",
                data={"raw": text, "submission_key": uuid.uuid4().hex},
                buffered=False,  # open until closed below, as a server sends it first
            )
            during = list(statements)
        response.close()  # as a server does: the work after the response runs now
        assert response.status_code == 302, response.get_data(as_text=True)
        counts.append(len(during))
    with app.app_context():
        expected = REPLY_STATEMENTS[db.engine.dialect.name]
    assert counts == [expected] * 2, "\n".join(s.split("\n")[0] for s in during)
