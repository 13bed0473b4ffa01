"""Every UI string has its Simplified Chinese translation, with the punctuation of its
language, and none of the portal's msgids changes what Django's own screens say."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# What makemessages must not scan (the same list as docs/engineering.md's command).
NOT_SOURCE = {".venv", ".git", "var", "tests", "bench", "staticfiles", "fixtures", "node_modules",
              "media", ".ruff_cache", "unionportal.egg-info", ".ci", "docs"}
FULL_WIDTH = re.compile("[：，（）；。]")
QUOTED = re.compile("“[^”]*”")
CJK = "\u4e00-\u9fff"


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_placeholders_survive_translation():
    catalogue = polib.pofile(str(PO))
    pattern = re.compile(r"%\(\w+\)[sd]")
    for entry in catalogue.translated_entries():
        translated = entry.msgstr or entry.msgstr_plural[0]
        assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(translated)), entry.msgid


def test_every_string_in_the_source_is_in_the_committed_catalogue_translated(tmp_path):
    """makemessages over a copy of the source: a string added to a template or a module but
    not to the committed .po shows up here as untranslated (or fuzzy), naming it."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=lambda folder, names: [n for n in names if n in NOT_SOURCE
                                                              and Path(folder) == ROOT])
    shutil.copytree(ROOT / "fixtures", copy / "fixtures")  # imported by the apps, not scanned
    env = {**os.environ, "PYTHONPATH": str(copy), "DJANGO_SETTINGS_MODULE": "unionportal.settings",
           "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete",
         *(f"--ignore={name}" for name in sorted(NOT_SOURCE))],
        cwd=copy, env=env, check=True, capture_output=True,
    )
    catalogue = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [f"{entry.msgctxt or ''}|{entry.msgid} ({entry.occurrences[:1]})"
               for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
    assert missing == []


def test_english_msgids_use_ascii_punctuation_and_chinese_translations_full_width():
    catalogue = polib.pofile(str(PO))
    wrong = []
    for entry in catalogue:
        # A quoted sample of Chinese input (“办理程序：…”) is data, not punctuation.
        if FULL_WIDTH.search(QUOTED.sub("", entry.msgid)):
            wrong.append(f"English with full-width punctuation: {entry.msgid!r}")
        translated = entry.msgstr or (entry.msgstr_plural or {}).get(0, "")
        if re.search(rf"[{CJK}][:;,](\s|$)", translated):
            wrong.append(f"Chinese with ASCII punctuation: {entry.msgid!r} → {translated!r}")
        if entry.msgid.rstrip().endswith(":") and translated.rstrip().endswith(":"):
            wrong.append(f"Chinese label ends with ASCII colon: {entry.msgid!r} → {translated!r}")
    assert wrong == []


def test_templates_write_no_punctuation_of_one_language_outside_the_catalogue():
    """Label and list punctuation in a page template goes through the catalogue
    (``{% translate ": " context "label" %}``), so each language gets its own; print
    templates are Chinese documents and keep theirs."""
    wrong = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "pdf" in template.parts:
            continue
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            if re.search("[：；]|%}、|、{%", line) or re.search(r"%\}[:;] ", line):
                wrong.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert wrong == []


def _django_catalogues() -> dict[tuple[str | None, str], set[str]]:
    """(context, msgid) → the Chinese the installed third-party apps and Django ship."""
    import django

    folders = [Path(django.__file__).parent / "conf" / "locale"]
    folders += [Path(config.path) / "locale" for config in apps.get_app_configs()
                if not Path(config.path).is_relative_to(ROOT) or ".venv" in Path(config.path).parts]
    shipped: dict[tuple[str | None, str], set[str]] = {}
    for folder in folders:
        for po in folder.glob("zh_Hans/LC_MESSAGES/django.po"):
            for entry in polib.pofile(str(po)):
                if entry.msgstr:
                    shipped.setdefault((entry.msgctxt, entry.msgid), set()).add(entry.msgstr)
    return shipped


# Overrides of Django's wording that are deliberate, with the reason.
DELIBERATE_OVERRIDES = {
    ", ": "the Chinese enumeration comma 、 joins lists of names",
    # The sessions app has no admin page or screen here; the word is only a congress session.
    "session": "会议 (congress session), not 会话",
    # The admin's own title and header, renamed on purpose for the portal's back office.
    "Django administration": "后台管理",
    "Django site admin": "the portal's admin title",
}


def test_no_portal_msgid_changes_what_djangos_own_screens_say():
    """The project catalogue wins over Django's: a bare msgid such as "Change" translated
    for the portal (同比变化) would rename the admin's 修改 links.  Short, ambiguous words
    carry a context instead."""
    shipped = _django_catalogues()
    clashes = []
    for entry in polib.pofile(str(PO)):
        theirs = shipped.get((entry.msgctxt, entry.msgid))
        # (An empty msgstr is left out of the compiled catalogue: Django's own then shows.)
        if theirs and entry.msgstr and entry.msgstr not in theirs and entry.msgid not in DELIBERATE_OVERRIDES:
            clashes.append(f"{entry.msgid!r}: ours {entry.msgstr!r}, Django's {sorted(theirs)} "
                           f"({entry.occurrences[:2]})")
    assert clashes == []


@pytest.mark.django_db
def test_the_admin_changelist_in_chinese_says_change_as_django_does():
    from orgs.models import Org, OrgKind

    org = Org.objects.create(code="t", name="测试市总工会", kind=OrgKind.FEDERATION)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(admin)
    # The admin index's per-model links say 修改 (Change); a change form's link, 历史 (History).
    index = client.get("/admin/").content.decode()
    assert re.search(r'class="changelink"[^>]*>修改</a>', index)
    change_form = client.get(f"/admin/orgs/org/{org.pk}/change/").content.decode()
    assert re.search(r'class="historylink"[^>]*>历史</a>', change_form)
    for page in (index, change_form, client.get("/admin/orgs/org/").content.decode()):
        assert "同比变化" not in page and "历史记录" not in page


@pytest.mark.django_db
def test_the_language_menu_names_each_language_in_its_own_language():
    user = get_user_model().objects.create_user("menu", password="x")
    client = Client()
    client.force_login(user)
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        page = client.get("/").content.decode()
        assert ">简体中文</option>" in page and ">English</option>" in page, language
        assert "英语" not in page
