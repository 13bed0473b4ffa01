"""A notification sent through a real SMTP server on loopback (aiosmtpd), read back decoded."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.factories import UserFactory
from unionportal.notifications import delivery

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_a_chinese_notification_through_smtp(smtp_server, settings, committed):
    controller, inbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "株洲市总工会 <noreply@zzgh.example>"
    user = UserFactory(username="张三", email="zhangsan@example.org", first_name="三", last_name="张")
    with committed():
        delivery.notify("assessment.returned", [user.pk], key="smtp", link="/assessment/2026/zz-jy/",
                        params={"org": "株洲市教育系统工会", "assessor": "株洲市总工会", "year": 2026,
                                "reason": "第二项缺少会议记录，请补充后重新提交。"})

    assert len(inbox.messages) == 1
    sender, recipients, raw = inbox.messages[0]
    assert recipients == ["zhangsan@example.org"] and sender == "noreply@zzgh.example"
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"].strip() == "[工会工作平台] 您的2026年度考核表已被退回"
    assert str(message["From"]) == "株洲市总工会 <noreply@zzgh.example>"
    body = message.get_body(("plain",)).get_content()
    assert "株洲市教育系统工会" in body
    assert "第二项缺少会议记录，请补充后重新提交。" in body
    assert "退回" in body
    assert "http://127.0.0.1:8000/assessment/2026/zz-jy/" in body
