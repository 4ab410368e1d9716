"""The queries the web app needs: mention tables, the inbox, rule-7 outcomes, corrections.

Every function takes an open SQLAlchemy Connection and works on SQLite and PostgreSQL.
"The labels" of a mention are those of its latest classification, unless a person corrected
them: then the latest correction wins (label_corrections feed the next retraining).
Full-text search uses the FTS5 table (SQLite) or the GIN tsvector index (PostgreSQL) that
migration web_1 creates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection

from store.tables import (
    classifications,
    label_corrections,
    mentions,
    outcomes,
    triage_decisions,
    users,
)

OUTCOMES = ("responded", "not_responding", "passed_on")
OPEN_STATUSES = ("open", "assigned")
STATUSES = ("open", "assigned", *OUTCOMES)
RESPOND_ACTIONS = ("respond", "consider_response")
INBOX_TABS = {"reageren": RESPOND_ACTIONS, "signaleren": ("signal",)}
COUNT_CAP = 10_000
# Must equal the expression of index ix_mentions_search (migration web_1) to use it.
PG_SEARCH_VECTOR = "to_tsvector('simple'::regconfig, coalesce(mentions.title, '') || ' ' || mentions.text)"

m, c, td = mentions, classifications, triage_decisions


@dataclass(frozen=True)
class MentionFilter:
    """What the analyst asked for; ``None`` means no restriction. Dates are aware, [from, to)."""

    date_from: datetime | None = None
    date_to: datetime | None = None
    label: str | None = None
    action: str | None = None
    platform: str | None = None
    topic: str | None = None
    department: str | None = None
    status: str | None = None
    language: str | None = None
    q: str | None = None

    def active(self) -> bool:
        return any(getattr(self, f.name) not in (None, "") for f in fields(self))


SORTS = {
    "nieuwste": lambda: [m.c.created_at.desc(), m.c.id.desc()],
    "oudste": lambda: [m.c.created_at.asc(), m.c.id.asc()],
    # urgency is NOT NULL and this order keeps only decided mentions: a plain DESC can use
    # ix_triage_decisions_urgency on both databases (NULLS LAST would need a sort).
    "urgentie": lambda: [td.c.urgency.desc(), m.c.created_at.desc(), m.c.id.desc()],
    "reacties": lambda: [m.c.replies.desc().nulls_last(), m.c.created_at.desc(), m.c.id.desc()],
}
DEFAULT_SORT = "nieuwste"


@dataclass(frozen=True)
class Page:
    """One page of mention rows; ``total`` is capped at COUNT_CAP (``total_capped`` says so)."""

    rows: list[dict]
    page: int
    page_size: int
    total: int
    total_capped: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (self.total_capped and len(self.rows) == self.page_size)


def search_words(q: str | None) -> list[str]:
    """The words of a search box, letters and digits only (no query syntax gets through)."""
    return re.findall(r"[^\W_]+", (q or "").lower())[:10]


def escape_like(value: str) -> str:
    """Escape LIKE wildcards so ``%`` and ``_`` match themselves (ESCAPE '\\')."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _latest_classification_id():
    c2 = classifications.alias("c_latest")
    return (
        sa.select(sa.func.max(c2.c.id))
        .where(c2.c.mention_id == m.c.id)
        .correlate(m)
        .scalar_subquery()
    )


def _latest_correction_labels():
    lc = label_corrections.alias("lc_latest")
    return (
        sa.select(lc.c.labels)
        .where(lc.c.mention_id == m.c.id)
        .order_by(lc.c.id.desc())
        .limit(1)
        .correlate(m)
        .scalar_subquery()
    )


def _json_list_has(dialect: str, column, value: str):
    """``value`` is an element of the JSON list in ``column``."""
    if dialect == "postgresql":
        return sa.cast(column, JSONB).contains([value])
    each = sa.func.json_each(column).table_valued("value", joins_implicitly=True)
    return sa.exists(sa.select(sa.literal(1)).select_from(each).where(each.c.value == value))


def _search(dialect: str, q: str | None):
    words = search_words(q)
    if not words:
        return None
    if dialect == "postgresql":
        query = " & ".join(f"{w}:*" for w in words)
        matches = sa.literal_column(PG_SEARCH_VECTOR).op("@@")(
            sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), query)
        )
        # PostgreSQL misjudges how rare a prefix query is and may instead scan every
        # mention by date, computing the tsvector per row (seconds at 1M mentions).
        # A materialised CTE makes it take the GIN index first.
        hits = sa.select(m.c.id).where(matches).cte("search_hits").prefix_with("MATERIALIZED")
        return m.c.id.in_(sa.select(hits.c.id))
    match = " ".join(f'"{w}"*' for w in words)
    hits = sa.text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :match").bindparams(
        match=match
    )
    return m.c.id.in_(hits.columns(sa.column("rowid", sa.Integer)))


def _base_select(columns, decided: bool = False):
    """Mentions with their latest classification and decision.

    ``decided`` keeps only mentions with a triage decision and starts the join from
    triage_decisions, so its urgency index can drive the query (inbox, urgency order).
    """
    latest = c.c.id == _latest_classification_id()
    if decided:
        joined = td.join(m, m.c.id == td.c.mention_id).outerjoin(c, latest)
    else:
        joined = m.outerjoin(c, latest).outerjoin(td, td.c.mention_id == m.c.id)
    return sa.select(*columns).select_from(joined)


def _id_select(f: MentionFilter, sort: str):
    """The ids of the view, joining only what the filter and order need.

    Sorting and counting ids alone is cheap; the full rows (with the correlated
    latest-classification and correction lookups) are fetched for one page only.
    """
    if sort == "urgentie":
        joined = td.join(m, m.c.id == td.c.mention_id)
    elif any((f.action, f.topic, f.status, f.department)):
        joined = m.outerjoin(td, td.c.mention_id == m.c.id)
    else:
        joined = m
    if f.label:
        joined = joined.outerjoin(c, c.c.id == _latest_classification_id())
    return sa.select(m.c.id).select_from(joined)


def _where(dialect: str, f: MentionFilter) -> list:
    clauses = []
    if f.date_from:
        clauses.append(m.c.created_at >= f.date_from)
    if f.date_to:
        clauses.append(m.c.created_at < f.date_to)
    if f.platform:
        clauses.append(m.c.platform == f.platform)
    if f.language:
        clauses.append(m.c.language == f.language)
    if f.action:
        clauses.append(td.c.action == f.action)
    if f.topic:
        clauses.append(td.c.topic == f.topic)
    if f.status:
        clauses.append(td.c.status == f.status)
    if f.department:
        clauses.append(_json_list_has(dialect, td.c.departments, f.department))
    if f.label:
        effective = sa.func.coalesce(_latest_correction_labels(), c.c.labels)
        clauses.append(_json_list_has(dialect, effective, f.label))
    found = _search(dialect, f.q)
    if found is not None:
        clauses.append(found)
    return clauses


ROW_COLUMNS = (
    m.c.id, m.c.platform, m.c.url, m.c.author_handle, m.c.title, m.c.text, m.c.language,
    m.c.created_at, m.c.replies, m.c.reposts, m.c.likes, m.c.reach,
    c.c.labels, c.c.scores, c.c.needs_review, c.c.model_version,
    td.c.action, td.c.reason, td.c.urgency, td.c.urgency_level, td.c.topic, td.c.departments,
    td.c.deadline, td.c.status, td.c.assignee, td.c.reply_account,
)


def _row_columns():
    return (*ROW_COLUMNS, _latest_correction_labels().label("corrected_labels"))


def mention_rows_query(dialect: str, f: MentionFilter, sort: str = DEFAULT_SORT) -> sa.Select:
    """The SELECT behind the mention table's exports: every column, in the view's order."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    base = _base_select(_row_columns(), decided=sort == "urgentie")
    return base.where(*_where(dialect, f)).order_by(*SORTS[sort]())


def page_ids_query(dialect: str, f: MentionFilter, sort: str = DEFAULT_SORT) -> sa.Select:
    """The ids of the view in order (limit and offset make a page)."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    return _id_select(f, sort).where(*_where(dialect, f)).order_by(*SORTS[sort]())


def list_mentions(
    conn: Connection, f: MentionFilter, sort: str = DEFAULT_SORT, page: int = 1, page_size: int = 50
) -> Page:
    """One page of the mention table, with a total counted up to COUNT_CAP."""
    dialect = conn.dialect.name
    page = max(1, page)
    ids_query = page_ids_query(dialect, f, sort).limit(page_size).offset((page - 1) * page_size)
    ids = list(conn.execute(ids_query).scalars())
    by_id = {}
    if ids:
        full = _base_select(_row_columns()).where(m.c.id.in_(ids))
        by_id = {r.id: dict(r._mapping) for r in conn.execute(full)}
    rows = [by_id[i] for i in ids if i in by_id]
    capped = _id_select(f, sort).where(*_where(dialect, f)).limit(COUNT_CAP + 1).subquery()
    total = conn.execute(sa.select(sa.func.count()).select_from(capped)).scalar_one()
    return Page(rows, page, page_size, min(total, COUNT_CAP), total > COUNT_CAP)


def iter_mentions(
    conn: Connection, f: MentionFilter, sort: str = DEFAULT_SORT, limit: int = 100_000
) -> Iterator[dict]:
    """Every row of the current view (for exports), streamed, at most ``limit``."""
    query = mention_rows_query(conn.dialect.name, f, sort).limit(limit)
    result = conn.execution_options(stream_results=True, yield_per=1000).execute(query)
    for row in result:
        yield dict(row._mapping)


def effective_labels(row: dict) -> list[str]:
    """The labels shown for a mention row: the latest correction, else the model's."""
    return list(row.get("corrected_labels") or row.get("labels") or [])


def languages(conn: Connection) -> list[str]:
    """Languages present in the store (for the filter list)."""
    query = sa.select(m.c.language).where(m.c.language.is_not(None)).distinct()
    return sorted(conn.execute(query).scalars())


def inbox(conn: Connection, tab: str, limit: int = 200) -> list[dict]:
    """Open mentions of one inbox tab, most urgent first, then the nearest deadline."""
    actions = INBOX_TABS[tab]
    query = (
        _base_select(_row_columns(), decided=True)
        .where(td.c.action.in_(actions), td.c.status.in_(OPEN_STATUSES))
        .order_by(td.c.urgency.desc(), td.c.deadline.asc().nulls_last(), m.c.created_at.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def inbox_counts(conn: Connection) -> dict[str, int]:
    """How many open mentions each inbox tab holds."""
    counts = {}
    for tab, actions in INBOX_TABS.items():
        query = sa.select(sa.func.count()).where(
            td.c.action.in_(actions), td.c.status.in_(OPEN_STATUSES)
        )
        counts[tab] = conn.execute(query).scalar_one()
    return counts


def recent_outcomes(conn: Connection, limit: int = 50) -> list[dict]:
    """The latest rule-7 records with their mention, newest first."""
    query = (
        sa.select(outcomes, m.c.platform, m.c.author_handle, m.c.text, m.c.url)
        .join(m, m.c.id == outcomes.c.mention_id)
        .order_by(outcomes.c.recorded_at.desc(), outcomes.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def mention_detail(conn: Connection, mention_id: int) -> dict | None:
    """A mention with every classification, its decision, outcomes and corrections."""
    mention = conn.execute(sa.select(m).where(m.c.id == mention_id)).mappings().first()
    if mention is None:
        return None

    def all_of(table, order):
        query = sa.select(table).where(table.c.mention_id == mention_id).order_by(*order)
        return [dict(r) for r in conn.execute(query).mappings()]

    decision = conn.execute(sa.select(td).where(td.c.mention_id == mention_id)).mappings().first()
    return {
        "mention": dict(mention),
        "classifications": all_of(c, [c.c.id.desc()]),
        "decision": dict(decision) if decision else None,
        "outcomes": all_of(outcomes, [outcomes.c.recorded_at.desc(), outcomes.c.id.desc()]),
        "corrections": all_of(label_corrections, [label_corrections.c.id.desc()]),
    }


def outcome_with_context(conn: Connection, outcome_id: int) -> dict | None:
    """One rule-7 record with its mention and decision, for the DMS snapshot."""
    row = conn.execute(sa.select(outcomes).where(outcomes.c.id == outcome_id)).mappings().first()
    if row is None:
        return None
    detail = mention_detail(conn, row["mention_id"])
    return {"outcome": dict(row), "mention": detail["mention"], "decision": detail["decision"]}


def assign(conn: Connection, mention_id: int, assignee: str | None, now: datetime) -> bool:
    """Give an open mention to a colleague (``None`` takes it back); False if undecided."""
    status = sa.case(
        (td.c.status.in_(OPEN_STATUSES), "assigned" if assignee else "open"), else_=td.c.status
    )
    result = conn.execute(
        sa.update(td)
        .where(td.c.mention_id == mention_id)
        .values(assignee=assignee or None, status=status, updated_at=now)
    )
    return result.rowcount == 1


def record_outcome(
    conn: Connection,
    mention_id: int,
    outcome: str,
    recorded_by: str,
    now: datetime,
    *,
    responded_at: datetime | None = None,
    account: str | None = None,
    response_url: str | None = None,
    response_text: str | None = None,
    reason: str | None = None,
    department: str | None = None,
) -> int:
    """Write the rule-7 record and set the decision's status to the outcome; return its id."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; expected one of {OUTCOMES}")
    outcome_id = conn.execute(
        sa.insert(outcomes).values(
            mention_id=mention_id, outcome=outcome, recorded_by=recorded_by, recorded_at=now,
            responded_at=responded_at, account=account, response_url=response_url,
            response_text=response_text, reason=reason, department=department,
        ).returning(outcomes.c.id)
    ).scalar_one()
    conn.execute(
        sa.update(td).where(td.c.mention_id == mention_id).values(status=outcome, updated_at=now)
    )
    return outcome_id


def correct_labels(
    conn: Connection, mention_id: int, labels: list[str], corrected_by: str, now: datetime,
    note: str | None = None,
) -> int:
    """Store a person's labels for a mention (used by the next retraining); return its id."""
    return conn.execute(
        sa.insert(label_corrections).values(
            mention_id=mention_id, labels=list(labels), corrected_by=corrected_by,
            corrected_at=now, note=note or None,
        ).returning(label_corrections.c.id)
    ).scalar_one()


def mention_exists(conn: Connection, mention_id: int) -> bool:
    return conn.execute(sa.select(m.c.id).where(m.c.id == mention_id)).first() is not None


# --- users ---------------------------------------------------------------------------------

def get_user(conn: Connection, *, user_id: int | None = None, username: str | None = None):
    """The user row by id or username, or None."""
    where = users.c.id == user_id if user_id is not None else users.c.username == username
    row = conn.execute(sa.select(users).where(where)).mappings().first()
    return dict(row) if row else None


def list_users(conn: Connection, active_only: bool = False) -> list[dict]:
    query = sa.select(users).order_by(users.c.username)
    if active_only:
        query = query.where(users.c.active.is_(True))
    return [dict(r) for r in conn.execute(query).mappings()]


def add_user(
    conn: Connection, username: str, role: str, password_hash: str | None, now: datetime,
    display_name: str | None = None,
) -> int:
    return conn.execute(
        sa.insert(users).values(
            username=username, role=role, password_hash=password_hash, created_at=now,
            display_name=display_name or None, active=True,
        ).returning(users.c.id)
    ).scalar_one()


def update_user(conn: Connection, username: str, **values) -> bool:
    """Change role, active, display_name or password_hash; False if no such user."""
    result = conn.execute(sa.update(users).where(users.c.username == username).values(**values))
    return result.rowcount == 1
