"""Remind the units that have not reported, before the deadline, by e-mail and/or a chat webhook.

Settings come from the environment and are never printed:

    CAMPUS_SMTP_HOST, CAMPUS_SMTP_PORT (587), CAMPUS_SMTP_USER, CAMPUS_SMTP_PASSWORD,
    CAMPUS_SMTP_FROM (default: the user), CAMPUS_SMTP_SECURITY (starttls | ssl; never plain),
    CAMPUS_SMTP_CAFILE (a campus CA to trust besides the system's)
    CAMPUS_WEBHOOK_URL, CAMPUS_WEBHOOK_FORMAT (generic | wecom | dingtalk), CAMPUS_WEBHOOK_SECRET
    (a DingTalk robot's signing secret)

E-mail goes to each missing unit's `email` in policies/lists/units.yml; the webhook gets one
message listing them all (a group robot), @mentioning each unit's `contact`. A send is recorded
in the archive as it succeeds, so a unit is never reminded twice on a channel for one day, and a
failed send is tried again by the next call. Nothing is sent when unit_daily cannot be read:
a broken sheet would otherwise remind every unit.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from ..errors import ConfigError
from ..policy import Policy

FORMATS = ("generic", "wecom", "dingtalk")


@dataclass
class Due:
    id: str
    zh: str
    en: str
    email: list[str]
    contact: str | None
    rows_with_errors: list[int]


@dataclass
class Outcome:
    day: dt.date
    deadline: dt.datetime
    due: list[Due] = field(default_factory=list)
    sent: dict[str, list[str]] = field(default_factory=dict)       # channel -> unit ids
    skipped: list[str] = field(default_factory=list)               # "unit channel: why"
    failed: list[str] = field(default_factory=list)
    note: str | None = None


def channels(env) -> dict[str, dict]:
    """The configured channels and their settings; ConfigError for a setting that cannot work."""
    found = {}
    if env.get("CAMPUS_SMTP_HOST"):
        security = env.get("CAMPUS_SMTP_SECURITY", "starttls")
        if security not in ("starttls", "ssl"):
            raise ConfigError([f"CAMPUS_SMTP_SECURITY: expected starttls or ssl; got {security!r}"])
        sender = env.get("CAMPUS_SMTP_FROM") or env.get("CAMPUS_SMTP_USER")
        if not sender:
            raise ConfigError(["CAMPUS_SMTP_FROM: the sender address is not set"])
        port = env.get("CAMPUS_SMTP_PORT") or ("465" if security == "ssl" else "587")
        if not port.isdigit():
            raise ConfigError([f"CAMPUS_SMTP_PORT: expected a port number such as 587; got {port!r}"])
        found["email"] = {"host": env["CAMPUS_SMTP_HOST"], "port": int(port),
                          "user": env.get("CAMPUS_SMTP_USER"), "password": env.get("CAMPUS_SMTP_PASSWORD"),
                          "sender": sender, "security": security, "cafile": env.get("CAMPUS_SMTP_CAFILE")}
    if env.get("CAMPUS_WEBHOOK_URL"):
        kind = env.get("CAMPUS_WEBHOOK_FORMAT", "generic")
        if kind not in FORMATS:
            raise ConfigError([f"CAMPUS_WEBHOOK_FORMAT: expected one of {', '.join(FORMATS)}; got {kind!r}"])
        found["webhook"] = {"url": env["CAMPUS_WEBHOOK_URL"], "format": kind,
                            "secret": env.get("CAMPUS_WEBHOOK_SECRET")}
    return found


def due_units(missing: list[dict], policy: Policy) -> list[Due]:
    """The expected units without a valid report (missing_units of the private detail)."""
    units = {u["id"]: u for u in policy.lists["units"].items}
    out = []
    for m in missing:
        unit = units[m["id"]]
        email = unit.get("email") or []
        out.append(Due(m["id"], m["zh"], m["en"], email if isinstance(email, list) else [email],
                       unit.get("contact"), m["rows_with_errors"]))
    return out


def _rows(due: Due) -> tuple[str, str]:
    if not due.rows_with_errors:
        return "", ""
    rows = ", ".join(map(str, due.rows_with_errors))
    return f"第 {rows} 行有错误，未计入，请按校验结果修改。", f"Row(s) {rows} have errors and were not counted; " \
                                                 f"please correct them as the validation tab says."


def email_message(due: Due, day: dt.date, deadline: dt.datetime, policy: Policy, sender: str) -> EmailMessage:
    campus = policy.campus["name"]
    zh_rows, en_rows = _rows(due)
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, ", ".join(due.email)
    msg["Subject"] = f"【填报提醒】{due.zh} {day} 单位日报 / Reminder: {due.en} daily report for {day}"
    msg.set_content(
        f"{due.zh}：\n\n尚未收到贵单位 {day} 的单位日报，截止时间为 {deadline:%H:%M}。无情况也请填写零报告。{zh_rows}\n\n"
        f"{campus['zh']}疫情防控办公室\n\n—\n\n{due.en}:\n\nWe have not yet received your unit's daily report for "
        f"{day}; the deadline is {deadline:%H:%M}. A day with nothing to report still needs a zero report. "
        f"{en_rows}\n\nEpidemic Prevention Office, {campus['en']}\n")
    return msg


def send_email(settings: dict, messages: list[tuple[str, EmailMessage]], record) -> tuple[list[str], list[str]]:
    """Send each (unit, message) over one TLS connection, record([unit], "email") as each is accepted (a
    crash then repeats no reminder); returns (units sent, failures)."""
    context = ssl.create_default_context(cafile=settings["cafile"]) if settings["cafile"] else \
        ssl.create_default_context()
    sent, failed = [], []
    try:
        if settings["security"] == "ssl":
            server = smtplib.SMTP_SSL(settings["host"], settings["port"], timeout=30, context=context)
        else:
            server = smtplib.SMTP(settings["host"], settings["port"], timeout=30)
            server.starttls(context=context)      # raises when the server offers no STARTTLS: never plain
        with server:
            if settings["user"]:
                server.login(settings["user"], settings["password"] or "")
            for unit, msg in messages:
                try:
                    server.send_message(msg)
                    sent.append(unit)
                    record([unit], "email")
                except smtplib.SMTPException as exc:
                    failed.append(f"{unit} email: {type(exc).__name__}")
    except (OSError, smtplib.SMTPException, ValueError) as exc:     # ValueError: e.g. a non-ASCII password
        why = type(exc).__name__ if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        failed += [f"{unit} email: {settings['host']}: {why}" for unit, _ in messages
                   if unit not in sent and not any(f.startswith(f"{unit} ") for f in failed)]
    return sent, failed


def webhook_body(kind: str, units: list[Due], day: dt.date, deadline: dt.datetime) -> dict:
    lines = [f"【填报提醒 Reminder】{day} 单位日报截止 {deadline:%H:%M}，以下单位尚未报送 / "
             f"no daily report yet from:"]
    for u in units:
        rows = f"（第 {', '.join(map(str, u.rows_with_errors))} 行有错误 / rows with errors）" if u.rows_with_errors else ""
        mention = f" @{u.contact}" if kind == "dingtalk" and u.contact else ""
        lines.append(f"- {u.zh} {u.en}{rows}{mention}")
    lines.append("无情况也请填写零报告 / A day with nothing to report still needs a zero report.")
    text = "\n".join(lines)
    contacts = [u.contact for u in units if u.contact]
    if kind == "wecom":
        return {"msgtype": "text", "text": {"content": text, "mentioned_list": contacts}}
    if kind == "dingtalk":
        return {"msgtype": "text", "text": {"content": text}, "at": {"atUserIds": contacts, "isAtAll": False}}
    return {"event": "campus-desk.reminder", "date": day.isoformat(), "deadline": deadline.isoformat(),
            "text": text, "units": [{"id": u.id, "zh": u.zh, "en": u.en, "email": u.email, "contact": u.contact,
                                     "rows_with_errors": u.rows_with_errors} for u in units]}


def signed(url: str, secret: str | None) -> str:
    """A DingTalk robot with 加签 checks timestamp and sign = base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    if not secret:
        return url
    stamp = str(int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


def post_webhook(settings: dict, body: dict) -> str | None:
    """POST the JSON; None when accepted, else why (never the URL: it carries the robot's token)."""
    host = urllib.parse.urlsplit(settings["url"]).hostname
    request = urllib.request.Request(signed(settings["url"], settings["secret"]),
                                     data=json.dumps(body, ensure_ascii=False, allow_nan=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            reply = response.read()
    except OSError as exc:          # URLError, HTTPError and timeouts are all OSErrors
        return f"webhook {host}: {getattr(exc, 'code', None) or type(exc).__name__}"
    if settings["format"] in ("wecom", "dingtalk"):
        try:
            code = json.loads(reply).get("errcode")
        except (ValueError, AttributeError):
            code = "no JSON reply"
        if code != 0:
            return f"webhook {host}: errcode {code}"
    return None


def send(outcome: Outcome, configured: dict[str, dict], already: set[tuple[str, str]], policy: Policy,
         record) -> None:
    """Send what is due on each channel, skipping what was sent before; record(units, channel) on success."""
    if "email" in configured:
        messages = []
        for u in outcome.due:
            if (u.id, "email") in already:
                outcome.skipped.append(f"{u.id} email: already sent today")
            elif not u.email:
                outcome.skipped.append(f"{u.id} email: no address in policies/lists/units.yml")
            else:
                messages.append((u.id, email_message(u, outcome.day, outcome.deadline, policy,
                                                     configured["email"]["sender"])))
        if messages:
            sent, failed = send_email(configured["email"], messages, record)
            outcome.sent["email"], outcome.failed = sent, outcome.failed + failed
    if "webhook" in configured:
        units = [u for u in outcome.due if (u.id, "webhook") not in already]
        outcome.skipped += [f"{u.id} webhook: already sent today" for u in outcome.due if u not in units]
        if units:
            problem = post_webhook(configured["webhook"], webhook_body(configured["webhook"]["format"], units,
                                                                       outcome.day, outcome.deadline))
            if problem:
                outcome.failed.append(problem)
            else:
                record([u.id for u in units], "webhook")
                outcome.sent["webhook"] = [u.id for u in units]


def remind(source, policy: Policy, day: dt.date | None = None, out: str | Path = "data", dry_run: bool = False,
           now: dt.datetime | None = None, env=None) -> Outcome:
    """Read the source, find the units without a valid report for `day` (default today) and remind
    them, unless the day's deadline has passed. Takes the run lock and archives what it read."""
    from ..read import read_source
    from ..store import recorded
    from ..summarize.reporting import Reporting
    from ..summarize.scope import Scope
    from ..validate import validate
    tz = policy.timezone
    clock = (now or dt.datetime.now(tz)).astimezone(tz)
    day = day or clock.date()
    outcome = Outcome(day, dt.datetime.combine(day, policy.deadline, tzinfo=tz))
    configured = channels(os.environ if env is None else env)
    if not configured and not dry_run:
        raise ConfigError(["no reminder channel is configured: set CAMPUS_SMTP_HOST (e-mail) and/or "
                           "CAMPUS_WEBHOOK_URL (webhook) / 未配置提醒渠道"])
    if clock >= outcome.deadline:
        outcome.note = f"the deadline ({outcome.deadline:%Y-%m-%d %H:%M}) has passed: no reminders / 已过截止时间，不再提醒"
        if not dry_run:
            return outcome

    def missing(result):
        return Reporting(Scope(result, policy), policy).private(day)["missing_units"]

    if dry_run:                 # reads only: no lock, no archive
        units = missing(validate(read_source(source), policy, day))
        outcome.due = due_units(units, policy) if units is not None else []
        return outcome
    with recorded(source, policy, out, "remind", day, now) as step:      # seen as of after the read
        units = missing(step.result)
        if units is None:
            outcome.note = "unit_daily could not be read: no reminders / 单位日报无法读取，未发送提醒"
        else:
            outcome.due = due_units(units, policy)
            send(outcome, configured, step.archive.sent(day), policy,
                 lambda ids, channel: step.archive.record_sent(day, ids, channel, step.reading.run_id))
        step.archive.finish(step.reading, "done")
    return outcome
