"""Reading what a person typed: table filters from the query string, outcome and label forms.

Invalid filter values are dropped (the page shows what is in force); invalid forms give a
list of Dutch messages and are shown again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData, QueryParams

from classifiers.labels import ACTIONS, LABELS
from store.web_queries import DEFAULT_SORT, OUTCOMES, SORTS, STATUSES, MentionFilter
from voelspriet.mention import PLATFORMS
from voelspriet.profile import Profile
from voelspriet.web.rendering import safe_url

# Query-string names (Dutch, they show in the address bar) -> MentionFilter fields.
FILTER_PARAMS = {
    "label": "label", "actie": "action", "platform": "platform", "onderwerp": "topic",
    "afdeling": "department", "status": "status", "taal": "language",
}
TEXT_LIMIT = 10_000


@dataclass(frozen=True)
class TableRequest:
    """The mention table's state: filter, sort and page, plus the raw values for the form."""

    filter: MentionFilter
    sort: str
    page: int
    values: dict[str, str]

    def query(self, **change) -> str:
        """The query string for this view with some values changed (for links)."""
        from urllib.parse import urlencode

        values = {**self.values, "sorteer": self.sort, **change}
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _local_day(value: str, zone: ZoneInfo) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(value), time(), zone)
    except ValueError:
        return None


def parse_table_request(params: QueryParams, profile: Profile, languages: list[str]) -> TableRequest:
    """The table's filter, sort and page from the query string; unknown values are ignored."""
    zone = ZoneInfo(profile.timezone)
    allowed = {
        "label": set(LABELS), "action": set(ACTIONS), "platform": set(PLATFORMS),
        "topic": set(profile.topics), "department": {d.name for d in profile.departments},
        "status": set(STATUSES), "language": set(languages),
    }
    values: dict[str, str] = {}
    chosen: dict = {}
    for param, field in FILTER_PARAMS.items():
        value = params.get(param, "").strip()
        if value in allowed[field]:
            chosen[field] = value
            values[param] = value
    start = _local_day(params.get("van", ""), zone)
    end = _local_day(params.get("tot", ""), zone)
    if start:
        chosen["date_from"], values["van"] = start, start.date().isoformat()
    if end:  # 'tot' is inclusive for a person: up to the end of that day
        chosen["date_to"], values["tot"] = end + timedelta(days=1), end.date().isoformat()
    q = params.get("q", "").strip()[:200]
    if q:
        chosen["q"] = values["q"] = q
    sort = params.get("sorteer", DEFAULT_SORT)
    sort = sort if sort in SORTS else DEFAULT_SORT
    try:
        page = max(1, min(int(params.get("pagina", "1")), 100_000))
    except ValueError:
        page = 1
    return TableRequest(MentionFilter(**chosen), sort, page, values)


def _text(form: FormData, name: str, limit: int = TEXT_LIMIT) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@dataclass(frozen=True)
class OutcomeForm:
    """A rule-7 record as typed in the form."""

    outcome: str
    account: str | None = None
    response_url: str | None = None
    response_text: str | None = None
    responded_at: datetime | None = None
    reason: str | None = None
    department: str | None = None


def parse_outcome(form: FormData, profile: Profile, now: datetime) -> tuple[OutcomeForm | None, list[str]]:
    """The outcome form, or the Dutch reasons it cannot be stored."""
    outcome = _text(form, "outcome")
    errors: list[str] = []
    if outcome not in OUTCOMES:
        return None, ["Kies wat er met de vermelding is gedaan."]
    if outcome == "responded":
        url, text, account = _text(form, "response_url"), _text(form, "response_text"), _text(form, "account", 200)
        if not safe_url(url):
            errors.append("Geef de link naar de geplaatste reactie (beginnend met https://).")
        if not text:
            errors.append("Neem de tekst van de reactie over.")
        if not account:
            errors.append("Vul in met welk account is gereageerd.")
        responded_at = now
        when = _text(form, "responded_at", 40)
        if when:
            try:
                responded_at = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(profile.timezone))
            except ValueError:
                errors.append("Het tijdstip van de reactie is geen geldige datum en tijd.")
        return (None if errors else OutcomeForm(outcome, account, url, text, responded_at)), errors
    if outcome == "not_responding":
        reason = _text(form, "reason")
        if not reason:
            return None, ["Geef de reden waarom er niet wordt gereageerd."]
        return OutcomeForm(outcome, reason=reason), []
    department = _text(form, "department", 200)
    if department not in {d.name for d in profile.departments}:
        return None, ["Kies de afdeling waaraan de vermelding is doorgegeven."]
    return OutcomeForm(outcome, department=department, reason=_text(form, "reason") or None), []


def parse_labels(form: FormData) -> tuple[list[str], str | None, list[str]]:
    """Corrected labels and note, or the Dutch reasons they cannot be stored."""
    labels = [label for label in LABELS if label in form.getlist("labels")]
    if not labels:
        return [], None, ["Kies minstens één label."]
    if "other" in labels and len(labels) > 1:
        return [], None, ["'Overig' kan alleen zonder andere labels gekozen worden."]
    return labels, _text(form, "note", 2000) or None, []
