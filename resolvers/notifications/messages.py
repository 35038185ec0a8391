"""Notifications and webhooks: messages by code, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "notifications",
    {
        "UNKNOWN_EVENT_TYPE": ("未知的事件类型：{event_type}。", "Unknown event type: {event_type}."),
        "UNKNOWN_CHANNEL": ("未知的通知渠道：{channel}。", "Unknown notification channel: {channel}."),
        "UNKNOWN_LOCALE": ("语言须为 zh-CN 或 en。", "The locale must be zh-CN or en."),
        "INVALID_URL": ("地址须为 http(s) 网址。", "The URL must be an http(s) address."),
        "PRIVATE_ADDRESS": (
            "生产环境的 Webhook 地址不能指向内网、本机或无法解析的主机。",
            "In production a webhook URL cannot point at a private, loopback or unresolvable host.",
        ),
        "INSECURE_URL": ("生产环境的 Webhook 地址须使用 https。", "Webhook URLs must use https in production."),
    },
)

register_labels("NotificationChannel", {"in_app": ("站内通知", "In-app"), "email": ("电子邮件", "E-mail")})

# Event types are labelled by the domain that declares them (resolvers/<domain>/templates.py);
# ``*`` stands for all of them in preferences and webhook subscriptions.
register_labels("EventType", {"*": ("全部事件", "All events")})
