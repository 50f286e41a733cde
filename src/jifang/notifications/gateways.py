"""Delivery gateways: how a notification leaves the platform (issue 14 §3).

One gateway per channel, chosen by settings (docs/operations.md, "Notification delivery"):

    JIFANG_NOTIFY_EMAIL_GATEWAY   file | console | email   (default file)
    JIFANG_NOTIFY_SMS_GATEWAY     file | console | http    (default file)

- `file`: one JSON line per message appended to JIFANG_NOTIFY_OUTBOX_DIR/<channel>.jsonl (default
  var/outbox): tests and the demo; nothing leaves the machine.
- `console`: the message on standard error (a development server).
- `email`: Django's mail (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
  EMAIL_USE_TLS, DEFAULT_FROM_EMAIL from the environment, see settings.py).
- `http`: the SMS interface of the operator's gateway: a JSON POST {"to", "text"} to
  JIFANG_SMS_URL with the header `Authorization: Bearer JIFANG_SMS_TOKEN`; any 2xx is sent.

A gateway raises GatewayError when the message did not go; the delivery is retried on later runs.
"""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail

SMS_TIMEOUT_SECONDS = 10


class GatewayError(Exception):
    pass


class FileGateway:
    def __init__(self, channel: str):
        self.path = Path(settings.JIFANG_NOTIFY_OUTBOX_DIR) / f"{channel}.jsonl"

    def send(self, address: str, subject: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": address, "subject": subject, "text": text}, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class ConsoleGateway:
    def __init__(self, channel: str):
        self.channel = channel

    def send(self, address: str, subject: str, text: str) -> None:
        sys.stderr.write(f"[{self.channel} -> {address}] {subject}\n{text}\n")


class EmailGateway:
    def __init__(self, channel: str):
        pass

    def send(self, address: str, subject: str, text: str) -> None:
        try:
            send_mail(subject, text, None, [address])
        except OSError as exc:  # smtplib's errors are OSErrors
            raise GatewayError(str(exc)) from exc


class HttpSmsGateway:
    def __init__(self, channel: str):
        self.url, self.token = settings.JIFANG_SMS_URL, settings.JIFANG_SMS_TOKEN
        if not self.url:
            raise GatewayError("JIFANG_SMS_URL is not set")

    def send(self, address: str, subject: str, text: str) -> None:
        body = json.dumps({"to": address, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=SMS_TIMEOUT_SECONDS) as answer:
                answer.read(1024)
        except (urllib.error.URLError, OSError) as exc:  # HTTPError (non-2xx) is a URLError
            raise GatewayError(str(exc)) from exc


GATEWAYS = {"file": FileGateway, "console": ConsoleGateway, "email": EmailGateway, "http": HttpSmsGateway}


def gateway(channel: str):
    """The gateway the settings name for `channel`."""
    name = settings.JIFANG_NOTIFY_GATEWAYS.get(channel, "file")
    if name not in GATEWAYS:
        raise GatewayError(f"unknown gateway {name!r} for {channel}")
    return GATEWAYS[name](channel)
