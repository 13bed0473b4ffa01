"""Each user's choice per kind: the portal only, an e-mail at once, or one digest a day."""

import pytest
from django.core import mail
from django.core.management import call_command

from tests.factories import UserFactory
from unionportal.notifications import delivery, digest
from unionportal.notifications.models import Digest, Notification, Preference

pytestmark = pytest.mark.django_db
KIND = "assessment.submitted"
PARAMS = {"org": "甲一基层工会", "year": 2026, "assessor": "甲系统工会"}


@pytest.fixture
def users(db):
    made = {name: UserFactory(username=name, email=f"{name}@example.org")
            for name in ("portal", "email", "digest", "default")}
    made["no_address"] = UserFactory(username="no-address", email="")
    Preference.objects.create(user=made["no_address"], kind=KIND, channel="email")
    for name in ("portal", "email", "digest"):
        Preference.objects.create(user=made[name], kind=KIND, channel=name)
    return made


def send(users, committed, key="k1"):
    with committed():
        delivery.notify(KIND, [user.pk for user in users.values()], key=key, params=PARAMS,
                        link="/assessment/2026/kit-a-1/")


def test_every_user_gets_the_inbox_row_and_only_email_users_a_mail(users, committed):
    send(users, committed)
    assert Notification.objects.count() == 5
    assert sorted(m.to[0] for m in mail.outbox) == ["default@example.org", "email@example.org"]
    message = mail.outbox[0]
    assert "甲一基层工会" in message.subject
    assert "http://127.0.0.1:8000/assessment/2026/kit-a-1/" in message.body
    assert "/inbox/settings/" in message.body


def test_a_second_delivery_with_the_same_key_writes_and_sends_nothing(users, committed):
    send(users, committed)
    send(users, committed)
    assert Notification.objects.count() == 5
    assert len(mail.outbox) == 2


def test_a_mail_is_claimed_once_even_when_the_task_runs_twice(users, committed):
    send(users, committed)
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert delivery.send_emails(ids) == 0
    assert len(mail.outbox) == 2


def test_a_broken_mail_server_is_logged_and_the_work_goes_on(users, committed, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    send(users, committed)
    assert Notification.objects.count() == 5
    assert "mail server cannot be reached" in caplog.text


def test_the_digest_goes_once_a_day_with_everything_unsent(users, committed):
    send(users, committed, key="k1")
    send(users, committed, key="k2")
    mail.outbox.clear()
    assert digest.send_digests() == 1
    assert [m.to for m in mail.outbox] == [["digest@example.org"]]
    assert mail.outbox[0].body.count("甲一基层工会") == 2
    send(users, committed, key="k3")  # later the same day: it waits for tomorrow's digest
    mail.outbox.clear()
    assert digest.send_digests() == 0
    assert mail.outbox == []
    assert Digest.objects.get().count == 2
    assert Notification.objects.filter(recipient=users["digest"], emailed_at__isnull=True).count() == 1


def test_the_digest_command_runs_twice_and_sends_once(users, committed):
    send(users, committed)
    mail.outbox.clear()
    call_command("send_digest")
    call_command("send_digest")
    assert len(mail.outbox) == 1


def test_a_user_without_an_address_keeps_the_inbox_only(users, committed):
    send(users, committed)
    row = Notification.objects.get(recipient=users["no_address"])
    assert row.channel == "portal"
    assert "no-address" not in " ".join(m.to[0] for m in mail.outbox)


def test_the_actor_is_never_told(users, committed):
    with committed():
        written = delivery.notify(KIND, [users["email"].pk, users["portal"].pk], key="own", params=PARAMS,
                                  actor_id=users["email"].pk)
    assert written == 1
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["portal"]
    assert mail.outbox == []
