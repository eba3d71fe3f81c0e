"""Send a message through the SMTP server named in a TOML config file.

The config holds an ``[smtp]`` table; the password itself never sits in the file, only the name
of the environment variable that holds it::

    [smtp]
    host = "smtp.example.org"
    port = 587
    starttls = true             # or: ssl = true (implicit TLS, usually port 465)
    user = "digest@example.org"
    password_env = "CHIPWATCH_SMTP_PASSWORD"
    from = "chipwatch <digest@example.org>"
"""

from __future__ import annotations

import ipaddress
import logging
import mimetypes
import os
import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from pathlib import Path
from typing import Iterable, Mapping

LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 30.0  # a mail server that has not answered in 30 s is not going to
_KEYS = {"host", "port", "starttls", "ssl", "user", "password_env", "from", "timeout"}


class MailError(Exception):
    """The message could not be built or sent (bad settings, refused, unreachable)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    user: str | None = None
    password_env: str | None = None
    sender: str = "chipwatch@localhost"
    timeout: float = DEFAULT_TIMEOUT_S

    @property
    def encrypted(self) -> bool:
        return self.starttls or self.ssl


def smtp_settings(table: Mapping[str, object]) -> SmtpSettings:
    """Validate an ``[smtp]`` table (as parsed from TOML) into SmtpSettings."""
    unknown = set(table) - _KEYS
    if unknown:
        raise MailError(f"unknown [smtp] setting(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KEYS))})")
    if not isinstance(table.get("host"), str) or not table["host"]:
        raise MailError("[smtp] host is required")
    checks = {"port": int, "starttls": bool, "ssl": bool, "user": str, "password_env": str, "from": str,
              "timeout": (int, float)}
    for key, kind in checks.items():
        if key in table and (not isinstance(table[key], kind) or (kind is int and isinstance(table[key], bool))):
            raise MailError(f"[smtp] {key} has the wrong type: {table[key]!r}")
    if table.get("starttls") and table.get("ssl"):
        raise MailError("[smtp] set starttls or ssl, not both")
    if table.get("user") and not table.get("password_env"):
        raise MailError("[smtp] user needs password_env: the name of the environment variable holding the password")
    port = table.get("port", 465 if table.get("ssl") else 25)
    if not 0 < port < 65536:
        raise MailError(f"[smtp] port out of range: {port}")
    return SmtpSettings(
        host=table["host"], port=port, starttls=bool(table.get("starttls")), ssl=bool(table.get("ssl")),
        user=table.get("user"), password_env=table.get("password_env"),
        sender=table.get("from") or SmtpSettings.sender, timeout=float(table.get("timeout", DEFAULT_TIMEOUT_S)),
    )


def load_smtp_settings(path: str | Path) -> SmtpSettings:
    """Read the ``[smtp]`` table of a TOML config file."""
    path = Path(path)
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MailError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MailError(f"cannot read config file {path}: {error}") from None
    table = config.get("smtp")
    if not isinstance(table, dict):
        raise MailError(f"config file {path} has no [smtp] table")
    return smtp_settings(table)


def _addresses(values: Iterable[str]) -> list[str]:
    found = []
    for value in values:
        if any(ch in value for ch in "\r\n"):
            raise MailError(f"not an e-mail address: {value!r}")
        pairs = getaddresses([value])
        if not pairs or any("@" not in address for _, address in pairs):
            raise MailError(f"not an e-mail address: {value!r}")
        found.append(value.strip())
    return found


def build_message(*, sender: str, recipients: list[str], subject: str, text: str, html: str | None = None,
                  attachments: Iterable[Path] = ()) -> EmailMessage:
    """A MIME message: the text body, an optional HTML alternative, optional file attachments."""
    message = EmailMessage()
    message["From"] = _addresses([sender])[0]
    message["To"] = ", ".join(_addresses(recipients))
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="chipwatch.local")
    message.set_content(text, subtype="plain", charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    for path in attachments:
        path = Path(path)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".md":
            kind = "text/markdown"
        maintype, subtype = kind.split("/", 1)
        if maintype == "text":
            message.add_attachment(path.read_text(encoding="utf-8"), subtype=subtype, filename=path.name)
        else:
            message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver the message to its To addresses through the configured server."""
    password = None
    if settings.user:
        if not settings.encrypted and not _is_loopback(settings.host):
            raise MailError(f"refusing to send the SMTP password to {settings.host} unencrypted: "
                            "set starttls = true or ssl = true in [smtp]")
        password = os.environ.get(settings.password_env or "")
        if password is None:
            raise MailError(f"environment variable {settings.password_env} (the SMTP password) is not set")
    context = ssl.create_default_context()
    try:
        if settings.ssl:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.starttls:
                client.starttls(context=context)
            if settings.user:
                client.login(settings.user, password)
            refused = client.send_message(message)
    except smtplib.SMTPException as error:
        raise MailError(f"SMTP server {settings.host}:{settings.port} refused the message: "
                        f"{_one_line(error)}") from None
    except OSError as error:  # includes ssl.SSLError and timeouts
        raise MailError(f"cannot reach SMTP server {settings.host}:{settings.port}: {_one_line(error)}") from None
    if refused:
        raise MailError(f"SMTP server refused some recipients: {', '.join(sorted(refused))}")
    LOGGER.info("sent %r to %s via %s:%s", message["Subject"], message["To"], settings.host, settings.port)
