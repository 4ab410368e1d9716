"""Delivering a report by email, once: build the message, keep a copy, send, record it.

Every email is written to ``var/reports/<kind>/<key>.eml`` (the message as sent) and
``<key>.html`` (the HTML with inline images embedded, to open in a browser). It is sent
through Airflow's SMTP connection ``smtp_default`` (``AIRFLOW_CONN_SMTP_DEFAULT`` works
without Airflow's database) when that connection exists; otherwise only the files are
written. Either way a ``deliveries`` row records it, and a (kind, key) that has a row is
never built or sent again.
"""

from __future__ import annotations

import base64
import email.policy
import logging
import mimetypes
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.db import transaction, upsert_insert
from store.tables import deliveries
from voelspriet.errors import ConfigError, VoelsprietError
from voelspriet.settings import Settings

log = logging.getLogger(__name__)

SMTP_CONN_ID = "smtp_default"
# Used in the written copy when there is no SMTP connection to take a sender from.
FALLBACK_FROM = "voelspriet@localhost"

# CRLF as on the wire (so the .eml copy is a standard file); headers are folded only past
# RFC 5322's 998 characters, because Python folds a long Subject right after its colon.
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=998)

Content = bytes | Path
Period = tuple[datetime, datetime]


class DeliveryError(VoelsprietError):
    """The email could not be sent; nothing was recorded, so the next run tries again."""


def _safe_name(key: str) -> str:
    """A file name for ``key``: letters, digits, dot, dash and underscore only."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", key).strip(".")
    return name or "_"


def _read(content: Content) -> bytes:
    return content.read_bytes() if isinstance(content, Path) else content


def _mime_type(name: str) -> tuple[str, str]:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    main, sub = kind.split("/", 1)
    return main, sub


def build_message(
    *, subject: str, html: str, text: str, sender: str, recipients: Sequence[str],
    inline_images: Mapping[str, Content] | None = None,
    attachments: Mapping[str, Content] | None = None,
) -> EmailMessage:
    """A multipart email: text/plain and text/html alternatives, inline images, attachments.

    ``inline_images`` maps a Content-ID to image bytes (or a path); the HTML refers to each as
    ``cid:<that id>``. ``attachments`` maps a file name to its content.
    """
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if inline_images:
        html_part = msg.get_payload()[1]
        for cid, content in inline_images.items():
            main, sub = _mime_type(cid if "." in cid else f"{cid}.png")
            # add_related turns the html part into multipart/related on first use.
            html_part.add_related(
                _read(content), maintype=main, subtype=sub, cid=f"<{cid}>",
                disposition="inline", filename=cid,
            )
    for name, content in (attachments or {}).items():
        main, sub = _mime_type(name)
        msg.add_attachment(_read(content), maintype=main, subtype=sub, filename=name)
    return msg


def embed_images(html: str, inline_images: Mapping[str, Content] | None) -> str:
    """The HTML with every ``cid:`` reference replaced by a data URL, for the copy on disk."""
    for cid, content in (inline_images or {}).items():
        main, sub = _mime_type(cid if "." in cid else f"{cid}.png")
        data = base64.b64encode(_read(content)).decode("ascii")
        html = html.replace(f"cid:{cid}", f"data:{main}/{sub};base64,{data}")
    return html


def smtp_hook():
    """Airflow's SMTP hook for ``smtp_default``, or None when that connection is not configured."""
    from airflow.providers.common.compat.sdk import AirflowNotFoundException
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    try:
        SmtpHook.get_connection(SMTP_CONN_ID)
    except AirflowNotFoundException:
        return None
    return SmtpHook(smtp_conn_id=SMTP_CONN_ID)


def _sender(hook) -> str:
    connection = hook.get_connection(SMTP_CONN_ID)
    sender = connection.extra_dejson.get("from_email")
    if not sender:
        raise ConfigError(
            f"De Airflow-verbinding {SMTP_CONN_ID} heeft geen afzender. "
            "Zet \"from_email\" in de extra-velden van de verbinding."
        )
    return sender


def _send(hook, msg: EmailMessage, recipients: Sequence[str]) -> None:
    # SmtpHook.send_email_smtp builds its own MIME message (HTML only, no plain-text
    # alternative, no inline images), so we log in through the hook and hand our message to
    # the client it opened.
    try:
        with hook as connected:
            connected._smtp_client.send_message(msg, to_addrs=list(recipients))
    except VoelsprietError:
        raise
    except Exception as exc:  # smtplib, socket and Airflow errors all mean: not sent
        raise DeliveryError(
            f"e-mail '{msg['Subject']}' kon niet worden verzonden via {SMTP_CONN_ID}: "
            f"{type(exc).__name__}: {exc}. De volgende run probeert het opnieuw."
        ) from exc


def delivered_path(engine: Engine, kind: str, key: str) -> Path | None:
    """Where the copy of an already delivered (kind, key) lives, or None if not delivered."""
    with transaction(engine) as conn:
        path = conn.execute(
            sa.select(deliveries.c.path).where(deliveries.c.kind == kind, deliveries.c.key == key)
        ).scalar_one_or_none()
    return Path(path) if path is not None else None


def deliver(
    engine: Engine, settings: Settings, *, kind: str, key: str, subject: str, html: str,
    text: str, recipients: Sequence[str], inline_images: Mapping[str, Content] | None = None,
    attachments: Mapping[str, Content] | None = None, period: Period | None = None,
) -> Path:
    """Write, send (when ``smtp_default`` is configured) and record one email; return the .eml.

    A (kind, key) already recorded is not sent again: its recorded path is returned. The
    ``deliveries`` row is claimed in the same transaction that sends, so two runs racing for
    the same key cannot both send, and a failed send records nothing.
    """
    existing = delivered_path(engine, kind, key)
    if existing is not None:
        log.info("%s %s was already delivered (%s); not sending again", kind, key, existing)
        return existing
    hook = smtp_hook()
    sender = _sender(hook) if hook is not None else FALLBACK_FROM
    msg = build_message(
        subject=subject, html=html, text=text, sender=sender, recipients=recipients,
        inline_images=inline_images, attachments=attachments,
    )
    folder = settings.reports_dir / _safe_name(kind)
    folder.mkdir(parents=True, exist_ok=True)
    eml = folder / f"{_safe_name(key)}.eml"
    eml.write_bytes(msg.as_bytes())
    eml.with_suffix(".html").write_text(embed_images(html, inline_images), encoding="utf-8")
    row = {
        "kind": kind, "key": key, "sent_at": datetime.now(UTC),
        "period_start": period[0] if period else None, "period_end": period[1] if period else None,
        "recipients": list(recipients), "subject": subject, "path": str(eml),
        "transport": "smtp" if hook is not None else "file",
    }
    with transaction(engine) as conn:
        claim = upsert_insert(conn, deliveries).values(row)
        claimed = conn.execute(claim.on_conflict_do_nothing(index_elements=["kind", "key"])).rowcount
        if not claimed:
            log.info("%s %s was delivered by a concurrent run; not sending again", kind, key)
        elif hook is not None:
            _send(hook, msg, recipients)
    if not claimed:
        return delivered_path(engine, kind, key) or eml
    if hook is None:
        log.warning(
            "Geen Airflow-verbinding %s: '%s' is niet verzonden, alleen opgeslagen in %s",
            SMTP_CONN_ID, subject, eml,
        )
    else:
        log.info("sent '%s' to %d recipients; copy in %s", subject, len(recipients), eml)
    return eml


def transport_of(engine: Engine, path: Path) -> str | None:
    """How the email whose copy is at ``path`` went out: ``smtp``, ``file`` or None if unknown."""
    with transaction(engine) as conn:
        return conn.execute(
            sa.select(deliveries.c.transport).where(deliveries.c.path == str(path))
        ).scalar_one_or_none()
