"""Reminders reach a real SMTP server (aiosmtpd, STARTTLS and AUTH required) and a real HTTP server,
for exactly the units without a valid report, once a day per channel, and only before the deadline."""
from __future__ import annotations

import base64
import copy
import datetime as dt
import email
import hashlib
import hmac
import http.server
import json
import socket
import ssl
import threading
import urllib.parse
import zoneinfo
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import BASELINE, POLICIES, write_csv
from sync import policy as policy_mod
from sync.cli import main
from sync.errors import ConfigError
from sync.store.archive import Archive
from sync.publish.reminders import remind

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2020, 2, 11)
PASSWORD = "s3cret-never-printed"
REPORTED = ["英语学院", "卫生所", "后勤管理处"]


@pytest.fixture(scope="module")
def policy():
    return policy_mod.load(POLICIES)


def unit_emails(policy) -> dict[str, str]:
    return {u["id"]: u["email"] for u in policy.lists["units"].items}


def book(tmp_path, day: dt.date = DAY, reported=REPORTED, broken="保卫处"):
    sheets = copy.deepcopy(BASELINE)
    rows = [[day.isoformat(), unit, f"{day} 09:00", "王老师", "10", "3", "0", "0", "0", "0", "是", ""] for unit in reported]
    if broken:          # a report with an error is no report: its unit is reminded, with the row
        rows.append([day.isoformat(), broken, f"{day} 09:00", "钱老师", "many", "3", "0", "0", "0", "0", "是", ""])
    sheets["单位日报"] = [sheets["单位日报"][0], *rows]
    return write_csv(tmp_path / "book", sheets)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1; the client trusts it through CAMPUS_SMTP_CAFILE."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    import ipaddress
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder


class Mailbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp(tls):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls / "cert.pem", tls / "key.pem")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"office" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)         # not handled: the server answers 535 itself

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)
    controller.start()
    box.env = {"CAMPUS_SMTP_HOST": "127.0.0.1", "CAMPUS_SMTP_PORT": str(controller.port),
               "CAMPUS_SMTP_USER": "office", "CAMPUS_SMTP_PASSWORD": PASSWORD,
               "CAMPUS_SMTP_FROM": "fangkong@example.edu.cn", "CAMPUS_SMTP_CAFILE": str(tls / "cert.pem")}
    yield box
    controller.stop()


@pytest.fixture
def hook():
    """A local HTTP server that records every POST and answers with `reply` (status, JSON)."""
    posts: list[tuple[str, dict]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            posts.append((self.path, body))
            status, reply = server.reply
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.reply = (200, {"errcode": 0, "errmsg": "ok"})
    server.posts = posts
    server.url = f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=tok"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def at(hour, minute=0, day=DAY):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def test_exactly_the_missing_units_are_reminded_once_by_email_and_webhook(tmp_path, policy, smtp, hook):
    env = {**smtp.env, "CAMPUS_WEBHOOK_URL": hook.url}
    source = book(tmp_path)
    outcome = remind(source, policy, DAY, tmp_path / "data", now=at(9, 30), env=env)
    reported = {"english", "clinic", "logistics"}
    missing = [u["id"] for u in policy.lists["units"].items if u["id"] not in reported]
    assert len(missing) == 12 and [d.id for d in outcome.due] == missing
    assert outcome.sent == {"email": missing, "webhook": missing} and not outcome.failed
    emails = unit_emails(policy)
    assert sorted(to for rcpt, _ in smtp.messages for to in rcpt) == sorted(emails[u] for u in missing)
    security = next(m for rcpt, m in smtp.messages if rcpt == [emails["security"]])
    assert "保卫处" in security["Subject"] and "Security" in security["Subject"]
    assert "第 5 行有错误" in security.get_content() and "Row(s) 5 have errors" in security.get_content()
    assert security["From"] == "fangkong@example.edu.cn"
    (path, body), = hook.posts
    assert path == "/robot/send?access_token=tok"
    assert [u["id"] for u in body["units"]] == missing and body["date"] == "2020-02-11"
    assert next(u for u in body["units"] if u["id"] == "security")["rows_with_errors"] == [5]
    # Again at 09:45: nothing new goes out, on either channel.
    again = remind(source, policy, DAY, tmp_path / "data", now=at(9, 45), env=env)
    assert again.sent == {} and len(smtp.messages) == 12 and len(hook.posts) == 1
    assert sum("already sent" in line for line in again.skipped) == 24
    with Archive(tmp_path / "data" / "archive.sqlite", policy) as archive:
        assert archive.sent(DAY) == {(u, c) for u in missing for c in ("email", "webhook")}


def test_no_reminder_after_the_deadline_or_when_unit_daily_cannot_be_read(tmp_path, policy, smtp):
    outcome = remind(book(tmp_path), policy, DAY, tmp_path / "data", now=at(10, 0), env=smtp.env)
    assert "has passed" in outcome.note and outcome.due == [] and smtp.messages == []
    sheets = copy.deepcopy(BASELINE)
    del sheets["单位日报"]
    source = write_csv(tmp_path / "nodaily", sheets)
    outcome = remind(source, policy, DAY, tmp_path / "data", now=at(9, 0), env=smtp.env)
    assert outcome.note.startswith("unit_daily could not be read") and smtp.messages == []


def test_a_failed_send_is_not_recorded_and_is_tried_again(tmp_path, policy, smtp, hook):
    source = book(tmp_path, reported=[u for u in ["英语学院", "卫生所", "后勤管理处", "党政办公室", "人事处",
                                                  "教务处", "研究生处", "学生处", "国际交流处", "图书馆",
                                                  "日本语学院", "韩国语学院", "汉学院"]], broken=None)
    wrong = {**smtp.env, "CAMPUS_SMTP_PASSWORD": "wrong"}
    outcome = remind(source, policy, DAY, tmp_path / "data", now=at(9), env=wrong)
    assert [d.id for d in outcome.due] == ["security", "business"] and smtp.messages == []
    assert len(outcome.failed) == 2 and "SMTPAuthenticationError" in outcome.failed[0]
    assert all("wrong" not in line and PASSWORD not in line for line in outcome.failed)
    hook.reply = (500, {"error": "down"})
    outcome = remind(source, policy, DAY, tmp_path / "data", now=at(9, 5),
                     env={**smtp.env, "CAMPUS_WEBHOOK_URL": hook.url})
    assert outcome.sent == {"email": ["security", "business"]}
    assert outcome.failed == ["webhook 127.0.0.1: 500"]                     # never the URL with its token
    hook.reply = (200, {"errcode": 0})
    outcome = remind(source, policy, DAY, tmp_path / "data", now=at(9, 10),
                     env={**smtp.env, "CAMPUS_WEBHOOK_URL": hook.url})
    assert outcome.sent == {"webhook": ["security", "business"]} and len(smtp.messages) == 2


def test_wecom_and_dingtalk_robot_formats(tmp_path, policy, hook):
    policies = tmp_path / "policies"
    import shutil
    shutil.copytree(POLICIES, policies)
    units = policies / "lists" / "units.yml"
    units.write_text(units.read_text(encoding="utf-8").replace("email: baowei@example.edu.cn",
                                                               "email: baowei@example.edu.cn, contact: baowei01"),
                     encoding="utf-8")
    custom = policy_mod.load(policies)
    source = book(tmp_path, reported=["英语学院", "卫生所", "后勤管理处", "党政办公室", "人事处", "教务处", "研究生处",
                                      "学生处", "国际交流处", "图书馆", "日本语学院", "韩国语学院", "汉学院", "商学院"],
                  broken=None)
    remind(source, custom, DAY, tmp_path / "wecom", now=at(9), env={"CAMPUS_WEBHOOK_URL": hook.url,
                                                                      "CAMPUS_WEBHOOK_FORMAT": "wecom"})
    secret = "SEC0123456789"
    remind(source, custom, DAY, tmp_path / "ding", now=at(9), env={
        "CAMPUS_WEBHOOK_URL": hook.url, "CAMPUS_WEBHOOK_FORMAT": "dingtalk", "CAMPUS_WEBHOOK_SECRET": secret})
    (_, wecom), (ding_path, ding) = hook.posts
    assert wecom["msgtype"] == "text" and wecom["text"]["mentioned_list"] == ["baowei01"]
    assert "保卫处 Security" in wecom["text"]["content"] and "英语学院" not in wecom["text"]["content"]
    assert ding["at"] == {"atUserIds": ["baowei01"], "isAtAll": False} and "@baowei01" in ding["text"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(ding_path).query)
    expected = base64.b64encode(hmac.new(secret.encode(), f"{query['timestamp'][0]}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["access_token"] == ["tok"] and query["sign"] == [expected]
    # A robot that answers errcode != 0 has not delivered: failed, and tried again next time.
    hook.reply = (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    outcome = remind(source, custom, DAY, tmp_path / "wecom2", now=at(9), env={"CAMPUS_WEBHOOK_URL": hook.url,
                                                                                 "CAMPUS_WEBHOOK_FORMAT": "wecom"})
    assert outcome.failed == ["webhook 127.0.0.1: errcode 310000"] and outcome.sent == {}


def test_the_command_line(tmp_path, policy, smtp, monkeypatch):
    for key, value in smtp.env.items():
        monkeypatch.setenv(key, value)
    tomorrow = policy.today() + dt.timedelta(days=1)        # its deadline is still ahead, whenever this runs
    source = book(tmp_path, tomorrow)
    base = ["remind", "--source", str(source), "--policies", str(POLICIES), "--out", str(tmp_path / "data"),
            "--date", tomorrow.isoformat()]
    dry = CliRunner().invoke(main, base + ["--dry-run"])
    assert dry.exit_code == 0 and "未报 missing  security  保卫处 Security" in dry.output and smtp.messages == []
    assert "12 unit(s) due" in dry.output and not (tmp_path / "data" / "archive.sqlite").exists()
    out = CliRunner().invoke(main, base)
    assert out.exit_code == 0, out.output
    assert len(smtp.messages) == 12 and "已提醒 reminded by email:" in out.output
    assert PASSWORD not in out.output
    past = CliRunner().invoke(main, base[:-1] + ["2020-02-11"])
    assert past.exit_code == 0 and "has passed" in past.output and len(smtp.messages) == 12
    for key in smtp.env:
        monkeypatch.delenv(key)
    unset = CliRunner().invoke(main, base)
    assert unset.exit_code == 2 and "CAMPUS_SMTP_HOST" in unset.output


def test_bad_settings_are_configuration_errors(policy, tmp_path):
    with pytest.raises(ConfigError, match="CAMPUS_WEBHOOK_FORMAT"):
        remind(book(tmp_path), policy, DAY, tmp_path / "data", now=at(9),
               env={"CAMPUS_WEBHOOK_URL": "http://127.0.0.1:9/", "CAMPUS_WEBHOOK_FORMAT": "slack"})
    with pytest.raises(ConfigError, match="CAMPUS_SMTP_SECURITY"):
        remind(book(tmp_path), policy, DAY, tmp_path / "data", now=at(9),
               env={"CAMPUS_SMTP_HOST": "127.0.0.1", "CAMPUS_SMTP_FROM": "a@example.edu.cn",
                    "CAMPUS_SMTP_SECURITY": "none"})
