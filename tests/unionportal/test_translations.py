"""Every UI string has its Simplified Chinese translation."""

from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_placeholders_survive_translation():
    import re

    catalogue = polib.pofile(str(PO))
    pattern = re.compile(r"%\(\w+\)[sd]")
    for entry in catalogue.translated_entries():
        translated = entry.msgstr or entry.msgstr_plural[0]
        assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(translated)), entry.msgid
