"""Sending the digest through a real SMTP server (aiosmtpd on 127.0.0.1) that receives it."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from chipwatch.digest import DigestError, publish_digest
from chipwatch.mail import MailError, build_message, load_smtp_settings, send_message, smtp_settings
from tests.report_fixtures import DIGEST_DAY, SCRIPT_TITLE


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def auth_server():
    """A server that requires AUTH (over plain TCP, acceptable only because it is loopback)."""
    inbox = Inbox()
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"digest" and auth_data.password == b"s3cret"
        logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        yield controller, inbox, logins
    finally:
        controller.stop()


def write_config(path, port, **extra):
    lines = ["[smtp]", 'host = "127.0.0.1"', f"port = {port}", 'from = "chipwatch <digest@chipwatch.test>"']
    lines += [f"{key} = {value!r}".replace("'", '"') for key, value in extra.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_text_digest_is_received(report_db, tmp_path, smtp_server):
    controller, inbox = smtp_server
    config = write_config(tmp_path / "chipwatch.toml", controller.port)
    result = publish_digest(report_db, DIGEST_DAY, days=7, fmt="txt", out=tmp_path / "d.txt",
                            mail_to=["desk@chipwatch.test"], config=config)
    assert result.mailed_to == ["desk@chipwatch.test"]
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "digest@chipwatch.test" and envelope.rcpt_tos == ["desk@chipwatch.test"]
    [message] = inbox.messages()
    assert message["Subject"] == ("chipwatch digest 2026-01-15: 6 documents "
                                  "(approval 1, block 2, restriction 1, neutral 2)")
    assert message.get_content_type() == "text/plain"
    body = message.get_content().replace("\r\n", "\n")  # SMTP carries CRLF line ends
    assert body == (tmp_path / "d.txt").read_text(encoding="utf-8")
    assert "TOP STORIES" in body and SCRIPT_TITLE in body


def test_html_digest_goes_as_an_alternative_to_the_text(report_db, tmp_path, smtp_server):
    controller, inbox = smtp_server
    config = write_config(tmp_path / "c.toml", controller.port)
    publish_digest(report_db, DIGEST_DAY, days=7, fmt="html", out=tmp_path / "d.html",
                   mail_to=["a@chipwatch.test", "b@chipwatch.test"], config=config)
    [message] = inbox.messages()
    assert inbox.envelopes[0].rcpt_tos == ["a@chipwatch.test", "b@chipwatch.test"]
    assert message.get_content_type() == "multipart/alternative"
    plain, html = [part.get_content_type() for part in message.iter_parts()]
    assert (plain, html) == ("text/plain", "text/html")
    html_part = message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")
    assert html_part == (tmp_path / "d.html").read_text(encoding="utf-8") and "<svg" in html_part


def test_markdown_digest_attaches_the_file_and_its_chart(report_db, tmp_path, smtp_server):
    controller, inbox = smtp_server
    config = write_config(tmp_path / "c.toml", controller.port)
    publish_digest(report_db, DIGEST_DAY, days=7, fmt="md", out=tmp_path / "d.md",
                   mail_to=["a@chipwatch.test"], config=config)
    [message] = inbox.messages()
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(attachments) == {"d.md", "d.png"}
    assert attachments["d.png"].get_content()[:4] == b"\x89PNG"
    assert attachments["d.md"].get_content().startswith("# chipwatch digest")


@AUTH_WITHOUT_TLS
def test_login_with_the_password_from_the_environment(tmp_path, auth_server, monkeypatch):
    controller, inbox, logins = auth_server
    monkeypatch.setenv("CHIPWATCH_TEST_SMTP_PASSWORD", "s3cret")
    settings = load_smtp_settings(write_config(tmp_path / "c.toml", controller.port, user="digest",
                                               password_env="CHIPWATCH_TEST_SMTP_PASSWORD"))
    send_message(settings, build_message(sender=settings.sender, recipients=["a@chipwatch.test"],
                                         subject="hello", text="body"))
    assert logins and logins[-1][1] is True
    assert inbox.messages()[0].get_content().strip() == "body"


@AUTH_WITHOUT_TLS
def test_wrong_password_is_a_one_line_mail_error(tmp_path, auth_server, monkeypatch):
    controller, inbox, _ = auth_server
    monkeypatch.setenv("CHIPWATCH_TEST_SMTP_PASSWORD", "wrong")
    settings = load_smtp_settings(write_config(tmp_path / "c.toml", controller.port, user="digest",
                                               password_env="CHIPWATCH_TEST_SMTP_PASSWORD"))
    with pytest.raises(MailError, match="refused") as error:
        send_message(settings, build_message(sender=settings.sender, recipients=["a@chipwatch.test"],
                                             subject="x", text="y"))
    assert "\n" not in str(error.value)
    assert inbox.envelopes == []


def test_missing_password_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("CHIPWATCH_NOPE", raising=False)
    settings = smtp_settings({"host": "127.0.0.1", "port": 2525, "user": "u", "password_env": "CHIPWATCH_NOPE"})
    with pytest.raises(MailError, match="CHIPWATCH_NOPE .* is not set"):
        send_message(settings, build_message(sender="a@b.test", recipients=["c@d.test"], subject="s", text="t"))


def test_password_is_never_sent_unencrypted_to_a_remote_host(monkeypatch):
    monkeypatch.setenv("PW", "x")
    settings = smtp_settings({"host": "smtp.example.org", "port": 25, "user": "u", "password_env": "PW"})
    with pytest.raises(MailError, match="refusing to send the SMTP password"):
        send_message(settings, build_message(sender="a@b.test", recipients=["c@d.test"], subject="s", text="t"))


def test_unreachable_server_is_a_mail_error():
    settings = smtp_settings({"host": "127.0.0.1", "port": free_port(), "timeout": 2})
    with pytest.raises(MailError, match="cannot reach SMTP server 127.0.0.1"):
        send_message(settings, build_message(sender="a@b.test", recipients=["c@d.test"], subject="s", text="t"))


@pytest.mark.parametrize("table,message", [
    ({}, "host is required"),
    ({"host": "h", "starttls": True, "ssl": True}, "not both"),
    ({"host": "h", "port": "25"}, "port has the wrong type"),
    ({"host": "h", "starttls": "yes"}, "starttls has the wrong type"),
    ({"host": "h", "user": "u"}, "needs password_env"),
    ({"host": "h", "password": "plain"}, "unknown \\[smtp\\] setting"),
    ({"host": "h", "port": 70000}, "port out of range"),
])
def test_bad_settings(table, message):
    with pytest.raises(MailError, match=message):
        smtp_settings(table)


def test_ssl_defaults_to_port_465():
    assert smtp_settings({"host": "h", "ssl": True}).port == 465
    assert smtp_settings({"host": "h", "starttls": True, "port": 587}).encrypted


def test_config_file_problems(tmp_path):
    with pytest.raises(MailError, match="config file not found"):
        load_smtp_settings(tmp_path / "absent.toml")
    (tmp_path / "bad.toml").write_text("[smtp\n")
    with pytest.raises(MailError, match="cannot read config file"):
        load_smtp_settings(tmp_path / "bad.toml")
    (tmp_path / "empty.toml").write_text("[other]\nx = 1\n")
    with pytest.raises(MailError, match="has no \\[smtp\\] table"):
        load_smtp_settings(tmp_path / "empty.toml")


def test_header_injection_in_an_address_is_refused():
    with pytest.raises(MailError, match="not an e-mail address"):
        build_message(sender="a@b.test", recipients=["c@d.test\r\nBcc: evil@x.test"], subject="s", text="t")
    with pytest.raises(MailError, match="not an e-mail address"):
        build_message(sender="a@b.test", recipients=["not-an-address"], subject="s", text="t")


def test_mail_without_config_is_a_digest_error(report_db):
    with pytest.raises(DigestError, match="--mail-to needs SMTP settings"):
        publish_digest(report_db, DIGEST_DAY, fmt="txt", mail_to=["a@chipwatch.test"], config=None)
