"""E-mail leaves only after the transaction commits."""

from __future__ import annotations

import threading
from email import message_from_bytes

import pytest

from portal.extensions import db
from portal.mail import deliver_queued, queue_email
from portal.models import MailStatus
from tests.conftest import find, outbox


def test_mail_from_a_failed_request_is_never_written(client, world):
    # An invitation that fails validation rolls back everything, mail included.
    from tests.conftest import sign_in_as

    sign_in_as(client, world.user("region_admin"))
    client.post(f"/organisaties/{world.region.id}/uitnodigen", data={"name": "", "email": "geen-adres", "role": "buyer"})
    assert outbox() == []


def test_mail_rolled_back_with_its_transaction_disappears(world):
    queue_email(db.session, to="a@test.example.org", subject="Test", template="email/password_reset.txt",
                user=world.user("buyer"), link="http://x", minutes=5)
    db.session.rollback()
    assert outbox() == []


class _FakeSmtpServer:
    """A tiny SMTP server on loopback that accepts messages and keeps them."""

    def __init__(self):
        import socket

        self.messages: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        stream = conn.makefile("rwb")

        def reply(line: str):
            stream.write(line.encode() + b"\r\n")
            stream.flush()

        reply("220 test")
        while True:
            line = stream.readline()
            if not line:
                break
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                reply("250 test")
            elif command == "DATA":
                reply("354 go on")
                data = b""
                while (chunk := stream.readline()) != b".\r\n":
                    data += chunk
                self.messages.append(data)
                reply("250 queued")
            elif command == "QUIT":
                reply("221 bye")
                break
            else:
                reply("250 ok")
        conn.close()
        self.sock.close()


@pytest.fixture
def smtp_app(_database):
    from portal import create_app
    from tests.conftest import make_settings

    server = _FakeSmtpServer()
    instance, url = _database
    app = create_app(make_settings(instance, url, mail_transport=f"smtp://127.0.0.1:{server.port}"))
    app.smtp_server = server
    return app


def test_queued_mail_is_sent_over_smtp_after_the_commit(smtp_app, world):
    with smtp_app.test_request_context():
        message = queue_email(db.session, to="buyer@test.example.org", subject="Nieuw wachtwoord",
                              template="email/password_reset.txt", user=world.user("buyer"), link="http://x", minutes=5)
        db.session.commit()
        message_id = message.id
        assert deliver_queued() == 1
    smtp_app.smtp_server.thread.join(timeout=5)
    [raw] = smtp_app.smtp_server.messages
    sent = message_from_bytes(raw)
    assert sent["To"] == "buyer@test.example.org"
    assert sent["Subject"] == "Nieuw wachtwoord"
    assert find(type(message), message_id).status is MailStatus.SENT
