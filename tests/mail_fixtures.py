"""A real SMTP server on loopback (aiosmtpd) and Airflow's smtp_default pointing at it."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """Collects every message the server accepts."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for _, _, raw in self.envelopes]


def free_port() -> int:
    # aiosmtpd's Controller(port=0) cannot report the port it got, so pick one first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch):
    """An SMTP server on 127.0.0.1 and AIRFLOW_CONN_SMTP_DEFAULT pointing at it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "voelspriet@heemstede.nl",
                  "retry_limit": 0, "timeout": 10},
    }))
    yield mailbox
    controller.stop()


@pytest.fixture
def no_smtp(monkeypatch, tmp_path):
    """No smtp_default connection anywhere (and no Airflow database to find one in)."""
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
