"""Path converters shared by every app's URLs."""

from django.urls import register_converter


class OrgCodeConverter:
    """An org code: lower-case letters, digits and single hyphens (no dots: <code>.pdf)."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class TableFormatConverter(OrgCodeConverter):
    regex = r"csv|xlsx"


register_converter(OrgCodeConverter, "orgcode")
register_converter(TableFormatConverter, "tablefmt")
