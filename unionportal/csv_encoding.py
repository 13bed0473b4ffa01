"""Which encoding a CSV file is in: the ones Chinese office programs write, and only those.

Order (the first that decodes strictly wins; nothing is ever decoded with replacement):
1. a byte-order mark: UTF-8 (Excel's "CSV UTF-8"), UTF-16 LE or BE (Excel's "Unicode text");
2. no mark: UTF-8 (strict; text in GBK is almost never valid UTF-8, the reverse often is);
3. GB18030, a superset of GBK (what Excel and WPS write for "CSV" on a Chinese system),
   unless the text it gives holds private-use characters: those come from bytes that were
   not GBK (e.g. Big5), so the file is refused rather than read as wrong characters.
A file without a mark whose bytes are one in two NULs is UTF-16 without its mark: refused.
"""

import codecs
import re

from django.utils.translation import gettext as _

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


class UnknownEncoding(ValueError):
    pass


def how_to_save() -> str:
    return _("In Excel or WPS, use “Save as” and choose “CSV UTF-8” or “CSV (comma delimited)”.")


def _refuse() -> UnknownEncoding:
    return UnknownEncoding(_("The CSV file's encoding is not recognised (tried UTF-8, UTF-16 and "
                             "GB18030). %(advice)s") % {"advice": how_to_save()})


def _looks_like_utf16_without_mark(data: bytes) -> bool:
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.3


def decode_csv(data: bytes) -> tuple[str, str]:
    """``(text, encoding name)`` of a CSV file's bytes; UnknownEncoding with advice otherwise."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise _refuse() from exc
    if _looks_like_utf16_without_mark(data):
        raise _refuse()
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _refuse() from exc
    if PRIVATE_USE.search(text):
        raise _refuse()
    return text, "gb18030"
