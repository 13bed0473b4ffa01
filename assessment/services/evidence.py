"""Writes of a sheet's evidence files: PDF, images and office files, 20 MB at most."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import Evidence, Sheet, SheetStatus
from assessment.services._common import EDITABLE_BY_STAFF, locked
from orgs.access import Action, require
from unionportal import audit
from unionportal.actors import user_or_none
from unionportal.stored_files import removed_on_failure, stored
from unionportal.uploads import MB, check_upload

MAX_EVIDENCE_BYTES = 20 * MB


def add_evidence(*, actor, sheet: Sheet, seq: str, upload) -> Evidence:
    require(actor, Action.FILL, sheet.org)
    content_type = check_upload(upload, max_bytes=MAX_EVIDENCE_BYTES)
    with transaction.atomic(), removed_on_failure():
        current = locked(sheet)
        if current.status not in EDITABLE_BY_STAFF:
            raise ValidationError(_("This sheet is %(status)s; it can no longer be changed.")
                                  % {"status": current.get_status_display()}, code="locked")
        unit = current.units.filter(seq=seq).first()
        if unit is None:
            raise ValidationError(_("Unknown unit(s): %(seqs)s.") % {"seqs": seq})
        if current.status == SheetStatus.RETURNED and not unit.returned:
            raise ValidationError(_("Unit %(seq)s was not returned to you; only returned units may change.")
                                  % {"seq": seq}, code="not_returned")
        evidence = Evidence(unit=unit, name=upload.name[:200], content_type=content_type,
                            size=upload.size, uploaded_by=user_or_none(actor))
        evidence.file.save(upload.name, upload, save=False)
        stored(evidence.file)  # removed again if this or the caller's transition fails
        evidence.save()
        audit.record(actor=actor, action="assessment.evidence.add", instance=evidence, org=current.org,
                     after={"sheet": current.pk, "unit": seq, "name": evidence.name, "size": evidence.size})
    return evidence


def delete_evidence(*, actor, evidence: Evidence) -> None:
    sheet = evidence.unit.sheet
    require(actor, Action.FILL, sheet.org)
    with transaction.atomic():
        current = locked(sheet)
        if current.status not in EDITABLE_BY_STAFF or (
                current.status == SheetStatus.RETURNED and not evidence.unit.returned):
            raise ValidationError(_("This evidence can no longer be removed."), code="locked")
        before = {"sheet": current.pk, "unit": evidence.unit.seq, "name": evidence.name}
        storage, path = evidence.file.storage, evidence.file.name
        audit.record(actor=actor, action="assessment.evidence.delete", instance=evidence,
                     org=current.org, before=before)
        evidence.delete()
        transaction.on_commit(lambda: storage.delete(path))
