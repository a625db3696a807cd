"""Alerts sent by mail: a message that reached an alerts mailbox, read into one alert change.

Mail intake (mailin) stores the raw message and hands its subject, text and headers to
`alerts.services.email` (through core/mailboxes.py), which stores them as a raw event of the
mailbox's integration; this module reads that event like any other source.

The rules, documented in docs/alerts.md (*Email*), in this order:

1. `X-Alert-Key`, `X-Alert-Status` (firing, acknowledged, resolved) and `X-Alert-Severity`
   headers, for a tool whose mail you can give headers, win over everything below.
2. The formats of the default templates of the tools that mail alerts, one entry each in
   `FORMATS`: Zabbix, Grafana and Alertmanager, Nagios, Icinga 2.
3. Any other mail: a subject that begins with RESOLVED, RECOVERY, RECOVERED, CLEARED or OK (or
   says [RESOLVED] or [OK]) resolves, one that begins with ACK or ACKNOWLEDGEMENT acknowledges,
   anything else triggers; the key is the subject without those words; the severity the first
   word of a known severity in the subject, else warning.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from servicedesk.alerts.sources import (
    ACKNOWLEDGE,
    KEY_MAX,
    RESOLVE,
    SUMMARY_MAX,
    TRIGGER,
    Item,
    SourceInvalid,
    SourceSpec,
    api_accepted,
    api_invalid,
)

STATUS_HEADER = {"firing": TRIGGER, "acknowledged": ACKNOWLEDGE, "resolved": RESOLVE}

# Severity words, whatever the tool: its own scale to ours.
SEVERITY_WORDS = {
    "disaster": "critical",
    "critical": "critical",
    "crit": "critical",
    "fatal": "critical",
    "emergency": "critical",
    "page": "critical",
    "down": "critical",
    "unreachable": "critical",
    "high": "error",
    "average": "error",
    "major": "error",
    "error": "error",
    "warning": "warning",
    "warn": "warning",
    "minor": "warning",
    "unknown": "warning",
    "information": "info",
    "info": "info",
    "notice": "info",
    "not classified": "info",
    "ok": "info",
    "up": "info",
}
URL = re.compile(r"https?://[^\s<>\"')]+")


def severity_of(word: str, default: str = "warning") -> str:
    return SEVERITY_WORDS.get(" ".join((word or "").lower().split()), default)


def _field(text: str, name: str) -> str:
    """The value of a `Name: value` line of the body ("" if there is none)."""
    found = re.search(rf"^[ \t]*{name}[ \t]*:[ \t]*(.+?)[ \t]*$", text, re.MULTILINE | re.I)
    return found.group(1) if found else ""


def _after(text: str, name: str) -> str:
    """A `Name:` field's value on its line, else the next line that is not empty."""
    found = re.search(rf"^[ \t]*{name}[ \t]*:[ \t]*(.*)$", text, re.MULTILINE | re.I)
    if found is None:
        return ""
    if found.group(1).strip():
        return found.group(1).strip()
    following = [line.strip() for line in text[found.end() :].splitlines() if line.strip()]
    return following[0] if following else ""


def _label(text: str, name: str) -> str:
    """The value of a `name = value` label line (Grafana's and Alertmanager's mail)."""
    found = re.search(rf"^[ \t]*-?[ \t]*{name}[ \t]*=[ \t]*(.+?)[ \t]*$", text, re.MULTILINE)
    return found.group(1) if found else ""


def _links(text: str) -> list[dict]:
    seen: list[str] = []
    for url in URL.findall(text):
        if url not in seen:
            seen.append(url[:2000])
    return [{"href": url, "text": ""} for url in seen[:10]]


def _key(prefix: str, value: str) -> str:
    """A deduplication key: `prefix-value`, lower-cased with spaces collapsed; hashed when long."""
    value = " ".join(value.lower().split())
    key = f"{prefix}-{value}"
    if len(key) > KEY_MAX:
        key = f"{prefix}-{hashlib.sha256(value.encode()).hexdigest()}"
    return key


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    sender: str
    headers: dict


@dataclass(frozen=True)
class MailFormat:
    """One tool's default notification mail: how to know it, and how to read it."""

    name: str
    read: Callable[[Mail], Item | None]  # None: not this tool's mail


# ---------------------------------------------------------------------------------------------
# Zabbix: "Problem: {EVENT.NAME}", "Resolved in {EVENT.DURATION}: {EVENT.NAME}", "Updated problem
# in {EVENT.AGE}: …" (Zabbix 5.0 and later), or "PROBLEM: …" / "OK: …" (older templates); the
# body's "Original problem ID: {EVENT.ID}" (or "Original event ID") is the key.

ZABBIX_ID = re.compile(r"^[ \t]*Original (?:problem|event) ID[ \t]*:[ \t]*(\d+)", re.M | re.I)
ZABBIX_SUBJECT = re.compile(
    r"^(?P<kind>Problem|PROBLEM|Resolved(?: in [^:]+)?|RESOLVED|OK|Recovery|Updated problem"
    r"(?: in [^:]+)?|UPDATE)\s*:\s*(?P<name>.*)$"
)


ZABBIX_ACKNOWLEDGED = re.compile(r"\backnowledged problem\b|acknowledged:\s*yes\b", re.I)


def _zabbix(mail: Mail) -> Item | None:
    event_id = ZABBIX_ID.search(mail.text)
    subject = ZABBIX_SUBJECT.match(mail.subject)
    kind = subject.group("kind").lower() if subject else ""
    updated = kind.startswith(("updated", "update"))
    if event_id is None and not updated:
        return None
    if kind.startswith(("resolved", "ok", "recovery")) or re.search(
        r"^Problem has been resolved", mail.text, re.M
    ):
        action = RESOLVE
    elif updated and (ZABBIX_ACKNOWLEDGED.search(mail.text) or event_id is None):
        # The default update template carries no event ID: without one, the update names no
        # alert, and an acknowledgement of an unknown key changes nothing.
        action = ACKNOWLEDGE
    else:
        action = TRIGGER
    name = (
        _field(mail.text, "Problem name")
        or _field(mail.text, "Trigger")
        or (subject.group("name") if subject else mail.subject)
    )
    severity = _field(mail.text, "Severity") or _field(mail.text, "Trigger severity")
    return Item(
        key=f"zabbix-{event_id.group(1)}" if event_id else _key("zabbix", name),
        action=action,
        severity=severity_of(severity),
        summary=name[:SUMMARY_MAX],
        source=_field(mail.text, "Host")[:255],
        labels={"tool": "zabbix", **({"severity": severity} if severity else {})},
    )


# ---------------------------------------------------------------------------------------------
# Grafana and Alertmanager: "[FIRING:2] DiskFull (db1 production)", "[RESOLVED] DiskFull (…)";
# the subject after the status is the group's labels, so it is the key; the body lists each
# alert's labels as "name = value".

BRACKET_STATUS = re.compile(r"^\[(?P<status>FIRING|RESOLVED)(?::\d+)?\]\s*(?P<rest>.+)$", re.I)


def _grafana(mail: Mail) -> Item | None:
    found = BRACKET_STATUS.match(mail.subject)
    if found is None:
        return None
    rest = found.group("rest")
    severity = _label(mail.text, "severity")
    labels = {"tool": "grafana"}
    for name in ("alertname", "instance", "job", "cluster"):
        if value := _label(mail.text, name):
            labels[name] = value[:255]
    return Item(
        key=_key("grafana", rest),
        action=RESOLVE if found.group("status").lower() == "resolved" else TRIGGER,
        severity=severity_of(severity),
        summary=(_label(mail.text, "summary") or rest)[:SUMMARY_MAX],
        source=labels.get("instance", "")[:255],
        labels=labels,
    )


# ---------------------------------------------------------------------------------------------
# Nagios (notify-host-by-email, notify-service-by-email):
#   "** PROBLEM Service Alert: web1/HTTP is CRITICAL **", "** RECOVERY Host Alert: web1 is UP **"
# Icinga 2 (mail-service-notification.sh, mail-host-notification.sh):
#   "[PROBLEM] HTTP on web1 is CRITICAL!", "[RECOVERY] Host web1 is UP!"

NAGIOS = re.compile(
    r"^\*\*\s*(?P<type>[A-Z]+)\s+(?P<what>Service|Host) Alert:\s*(?P<object>.+?)"
    r"\s+is\s+(?P<state>[A-Z]+)\s*\*\*$"
)
ICINGA = re.compile(
    r"^\[(?P<type>[A-Z]+)\]\s*(?:(?P<host_kw>Host)\s+)?(?P<object>.+?)\s+is\s+(?P<state>[A-Z]+)!?$"
)
NAGIOS_ACTIONS = {"PROBLEM": TRIGGER, "RECOVERY": RESOLVE, "ACKNOWLEDGEMENT": ACKNOWLEDGE}
GOOD_STATES = {"OK", "UP"}


def _nagios_item(tool: str, kind: str, host: str, service: str, state: str, mail: Mail):
    action = NAGIOS_ACTIONS.get(kind) or (RESOLVE if state in GOOD_STATES else TRIGGER)
    what = f"{service} on {host}" if service else host
    info = _after(mail.text, "Additional Info") or _after(mail.text, "Info")
    return Item(
        key=_key(tool, f"{host}/{service}" if service else host),
        action=action,
        severity=severity_of(state),
        summary=(f"{what} is {state}" + (f": {info}" if info else ""))[:SUMMARY_MAX],
        source=host[:255],
        labels={"tool": tool, "state": state, **({"service": service} if service else {})},
    )


def _nagios(mail: Mail) -> Item | None:
    found = NAGIOS.match(mail.subject)
    if found is None:
        return None
    host, _sep, service = found.group("object").partition("/")
    if found.group("what") == "Host":
        host, service = found.group("object"), ""
    return _nagios_item("nagios", found.group("type"), host, service, found.group("state"), mail)


def _icinga(mail: Mail) -> Item | None:
    found = ICINGA.match(mail.subject)
    if found is None or found.group("type") in ("FIRING", "RESOLVED", "OK"):
        return None
    if found.group("host_kw"):
        host, service = found.group("object"), ""
    else:
        service, sep, host = found.group("object").rpartition(" on ")
        if not sep:
            return None
    return _nagios_item("icinga", found.group("type"), host, service, found.group("state"), mail)


FORMATS: tuple[MailFormat, ...] = (
    MailFormat("zabbix", _zabbix),
    MailFormat("grafana", _grafana),
    MailFormat("nagios", _nagios),
    MailFormat("icinga", _icinga),
)


# ---------------------------------------------------------------------------------------------
# Any other mail

RESOLVE_WORDS = re.compile(
    r"^\W*(?:RESOLVED|RECOVERY|RECOVERED|CLEARED|OK)\b\W*|\[(?:RESOLVED|OK)\]\s*", re.I
)
ACK_WORDS = re.compile(r"^\W*(?:ACKNOWLEDGEMENT|ACKNOWLEDGED|ACK)\b\W*", re.I)
TRIGGER_WORDS = re.compile(r"^\W*(?:PROBLEM|ALERT|FIRING|TRIGGERED)\b(?::\d+)?\W*", re.I)
SEVERITY_IN_TEXT = re.compile(r"\b(" + "|".join(sorted(SEVERITY_WORDS, key=len)[::-1]) + r")\b")


def _any(mail: Mail) -> Item:
    subject = mail.subject
    if found := RESOLVE_WORDS.search(subject):
        action, rest = RESOLVE, (subject[: found.start()] + subject[found.end() :])
    elif found := ACK_WORDS.search(subject):
        action, rest = ACKNOWLEDGE, subject[found.end() :]
    else:
        found = TRIGGER_WORDS.search(subject)
        action, rest = TRIGGER, subject[found.end() :] if found else subject
    rest = rest.strip() or subject
    words = SEVERITY_IN_TEXT.search(
        " ".join(w for w in rest.lower().split() if w not in ("ok", "up"))
    )
    return Item(
        key=_key("mail", rest or mail.sender),
        action=action,
        severity=severity_of(words.group(1)) if words else "warning",
        summary=rest[:SUMMARY_MAX],
        labels={"tool": "mail"},
    )


def read(mail: Mail) -> Item:
    """The alert change a notification mail says (the rules of the module's docstring)."""
    item = next((i for f in FORMATS if (i := f.read(mail)) is not None), None) or _any(mail)
    headers = mail.headers
    if key := headers.get("x-alert-key", "").strip():
        item.key = key[:KEY_MAX]
    status = headers.get("x-alert-status", "").strip().lower()
    if status in STATUS_HEADER:
        item.action = STATUS_HEADER[status]
    if severity := headers.get("x-alert-severity", "").strip():
        item.severity = severity_of(severity, item.severity)
    item.summary = item.summary or mail.subject[:SUMMARY_MAX] or item.key
    item.links = _links(mail.text)
    item.details = {"subject": mail.subject, "from": mail.sender, "text": mail.text[:4000]}
    return item


def parse(data) -> list[Item]:
    """The stored event of one message: {"subject", "from", "text", "headers"}."""
    if not isinstance(data, dict):
        raise SourceInvalid({"body": _("Must be an object.")})
    headers = data.get("headers") or {}
    mail = Mail(
        subject=" ".join(str(data.get("subject") or "").split()),
        text=str(data.get("text") or ""),
        sender=str(data.get("from") or ""),
        headers={str(k).lower(): str(v) for k, v in headers.items()}
        if isinstance(headers, dict)
        else {},
    )
    if not mail.subject and not mail.text.strip():
        raise SourceInvalid({"subject": _("An alert mail needs a subject or a text.")})
    return [read(mail)]


EXAMPLE = "Subject: Problem: Disk /var on db1 is 97% full"

SOURCE = SourceSpec(
    name="email", parse=parse, accepted=api_accepted, invalid=api_invalid, example=EXAMPLE
)
