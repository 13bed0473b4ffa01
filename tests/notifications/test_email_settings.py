"""DJANGO_EMAIL_URL and Django's EMAIL_* names, read from the environment."""

import pytest

from unionportal.notifications.email_settings import (
    CONSOLE,
    DUMMY,
    SMTP,
    EmailUrlError,
    email_settings,
    parse_email_url,
)


def test_smtp_with_starttls_user_and_password():
    found = parse_email_url("smtp+tls://mailer%40zzgh.cn:p%40ss:w0rd@mail.example.org:587")
    assert found == {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 587,
                     "EMAIL_HOST_USER": "mailer@zzgh.cn", "EMAIL_HOST_PASSWORD": "p@ss:w0rd",
                     "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 10}


@pytest.mark.parametrize(("url", "port", "tls", "ssl"), [
    ("smtp://relay", 25, False, False),
    ("smtp://relay:2525", 2525, False, False),
    ("smtp+tls://relay", 587, True, False),
    ("smtp+ssl://relay", 465, False, True),
    ("smtps://relay:4650", 4650, False, True),
])
def test_default_ports_and_security(url, port, tls, ssl):
    found = parse_email_url(url)
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_USE_TLS"], found["EMAIL_USE_SSL"]) == \
        ("relay", port, tls, ssl)
    assert found["EMAIL_HOST_USER"] == found["EMAIL_HOST_PASSWORD"] == ""


def test_console_dummy_and_timeout():
    assert parse_email_url("console://") == {"EMAIL_BACKEND": CONSOLE}
    assert parse_email_url("dummy://") == {"EMAIL_BACKEND": DUMMY}
    assert parse_email_url("smtp://relay?timeout=3")["EMAIL_TIMEOUT"] == 3


@pytest.mark.parametrize(("url", "message"), [
    ("imap://relay", "unknown scheme"),
    ("smtp+tls://user:secret@", "no host"),
    ("smtp://relay:port", "port"),
    ("smtp://relay?timeout=soon", "timeout"),
])
def test_a_wrong_url_is_refused_without_repeating_the_password(url, message):
    with pytest.raises(EmailUrlError, match=message) as refused:
        parse_email_url(url)
    assert "secret" not in str(refused.value)


def test_without_mail_settings_debug_prints_and_production_sends_nothing():
    assert email_settings({}, debug=True)["EMAIL_BACKEND"] == CONSOLE
    assert email_settings({}, debug=False)["EMAIL_BACKEND"] == DUMMY
    assert email_settings({}, debug=False)["DEFAULT_FROM_EMAIL"] == "webmaster@localhost"


def test_the_url_wins_and_the_sender_is_read():
    found = email_settings({"DJANGO_EMAIL_URL": "smtp://relay", "EMAIL_HOST": "other",
                            "DJANGO_DEFAULT_FROM_EMAIL": "株洲市总工会 <noreply@zzgh.cn>"}, debug=False)
    assert found["EMAIL_HOST"] == "relay"
    assert found["DEFAULT_FROM_EMAIL"] == found["SERVER_EMAIL"] == "株洲市总工会 <noreply@zzgh.cn>"


def test_djangos_own_names():
    found = email_settings({"EMAIL_HOST": "relay", "EMAIL_PORT": "2525", "EMAIL_HOST_USER": "u",
                            "EMAIL_HOST_PASSWORD": "p", "EMAIL_USE_TLS": "1"}, debug=False)
    assert found["EMAIL_BACKEND"] == SMTP
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_USE_TLS"]) == ("relay", 2525, True)
    with pytest.raises(EmailUrlError):
        email_settings({"EMAIL_HOST": "relay", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, debug=False)


def test_the_settings_module_reads_the_environment(monkeypatch):
    import importlib

    import unionportal.settings as portal_settings

    monkeypatch.setenv("DJANGO_EMAIL_URL", "smtp+ssl://robot:pw@mail.example.org")
    monkeypatch.setenv("DJANGO_DEFAULT_FROM_EMAIL", "portal@example.org")
    try:
        reloaded = importlib.reload(portal_settings)
        assert (reloaded.EMAIL_BACKEND, reloaded.EMAIL_HOST, reloaded.EMAIL_PORT, reloaded.EMAIL_USE_SSL) == \
            (SMTP, "mail.example.org", 465, True)
        assert reloaded.DEFAULT_FROM_EMAIL == "portal@example.org"
    finally:
        monkeypatch.undo()
        importlib.reload(portal_settings)
