"""Outbound channels: e-mail over SMTP and signed webhook POSTs."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING

import aiosmtplib
import httpx

if TYPE_CHECKING:  # settings are handed in; the service layer does not import the app
    from app.settings import Settings

SIGNATURE_HEADER = "X-Smallworks-Signature"


async def send_email(settings: Settings, to_address: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to_address
    message["Subject"] = subject
    message.set_content(body)
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body with the subscription's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class WebhookResult:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def post_webhook(url: str, secret: str, body: bytes, event_type: str, event_id: int, timeout: float) -> WebhookResult:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(secret, body),
        "X-Smallworks-Event": event_type,
        "X-Smallworks-Delivery": str(event_id),
        "User-Agent": "smallworks-webhooks/1",
    }
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            response = await client.post(url, content=body, headers=headers)
        return WebhookResult(
            response.status_code,
            None if response.is_success else f"HTTP {response.status_code}",
            int((time.perf_counter() - started) * 1000),
        )
    except httpx.HTTPError as exc:
        return WebhookResult(None, f"{type(exc).__name__}: {exc}"[:500], int((time.perf_counter() - started) * 1000))
