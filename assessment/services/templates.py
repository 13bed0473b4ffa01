"""Writes of assessment templates: save (create or replace), copy to a year, factors, delete."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.models import AssesseeRule, Indicator, Item, Template
from assessment.selectors import points_warning_text
from orgs.access import Action, require
from orgs.models import Org
from unionportal import audit
from unionportal.concurrency import lock

TOTAL_WEIGHT = Decimal(100)


@dataclass
class ItemSpec:
    number: str
    text: str
    points: Decimal | None = None


@dataclass
class IndicatorSpec:
    number: str
    name: str
    weight: Decimal
    section: str = ""
    content: str = ""
    rule_text: str = ""
    stated_points: Decimal | None = None
    items: list[ItemSpec] = field(default_factory=list)


def assessee_key(rule: str, kind: str = "", orgs=()) -> str:
    if rule == AssesseeRule.NAMED:
        return "named:" + ",".join(str(pk) for pk in sorted(org.pk for org in orgs))
    if rule == AssesseeRule.KIND:
        return f"kind:{kind}"
    return "children"


def weight_error(weights) -> str | None:
    total = sum((Decimal(w) for w in weights), Decimal(0))
    if total != TOTAL_WEIGHT:
        return _("the weights add up to %(total)s, not 100; the template is refused.") % {
            "total": scoring.num(total)}
    return None


def points_warnings(indicators: list[IndicatorSpec]) -> list[tuple[IndicatorSpec, Decimal]]:
    """(indicator, item-point sum) for every indicator whose items' points disagree with its weight."""
    found = []
    for spec in indicators:
        points = [item.points for item in spec.items if item.points is not None]
        if points and sum(points, Decimal(0)) != spec.weight:
            found.append((spec, sum(points, Decimal(0))))
    return found


def _template_snapshot(template: Template) -> dict:
    return {
        "assessor": template.assessor.code, "year": template.year, "title": template.title,
        "assessees": template.assessee_label(), "headers": template.headers,
        "factors": [template.full_factor, template.basic_factor, template.none_factor,
                    template.docs_penalty],
        "indicators": [
            {"number": i.number, "section": i.section, "name": i.name, "weight": i.weight,
             "items": [[it.number, it.points] for it in i.items.all()]}
            for i in template.indicators.prefetch_related("items")  # (one query for the items, not one each)
        ],
    }


def _write_indicators(template: Template, indicators: list[IndicatorSpec]) -> None:
    for position, spec in enumerate(indicators, start=1):
        indicator = Indicator.objects.create(
            template=template, position=position, number=spec.number, section=spec.section,
            name=spec.name, stated_points=spec.stated_points, weight=spec.weight,
            content=spec.content, rule_text=spec.rule_text,
        )
        Item.objects.bulk_create(
            Item(indicator=indicator, position=n, number=item.number, text=item.text, points=item.points)
            for n, item in enumerate(spec.items, start=1)
        )


def _template_to_replace(assessor: Org, year: int, key: str) -> Template | None:
    template = (Template.objects.select_for_update()
                .filter(assessor=assessor, year=year, assessee_key=key).first())
    if template is not None and template.sheets.exists():
        raise ValidationError(
            _("The %(year)d template of %(assessor)s for %(assessees)s already has sheets; "
              "it cannot be replaced. Copy it to a new year instead.")
            % {"year": year, "assessor": assessor.name, "assessees": template.assessee_label()},
            code="in_use",
        )
    return template


def save_template(*, actor, assessor: Org, year: int, title: str, indicators: list[IndicatorSpec],
                  rule: str = AssesseeRule.CHILDREN, kind: str = "", assessees=(), headers=(),
                  source: str = "", is_demo: bool = False) -> tuple[Template, bool, list[str]]:
    """Create or replace the template keyed by (assessor, year, assessee set).

    Returns (template, created, warnings).  Weights that do not add up to 100 are refused;
    items whose points disagree with their indicator's weight are warnings.  A template whose
    round has sheets is not replaced (copy it to a new year instead).
    """
    require(actor, Action.MANAGE, assessor)
    if error := weight_error([spec.weight for spec in indicators]):
        raise ValidationError(error, code="weights")
    warnings = [points_warning_text(spec.number, spec.name, points, spec.weight)
                for spec, points in points_warnings(indicators)]
    key = assessee_key(rule, kind, assessees)
    with transaction.atomic():
        template = _template_to_replace(assessor, year, key)
        created = template is None
        before = None
        if created:
            template = Template(assessor=assessor, year=year, assessee_key=key)
        else:
            before = _template_snapshot(template)
            template.indicators.all().delete()
        template.title = title
        template.assessee_rule = rule
        template.assessee_kind = kind if rule == AssesseeRule.KIND else ""
        template.headers = list(headers)
        template.source = source
        template.is_demo = is_demo
        if created:
            template.save()
        else:
            template.save_new_version()
        template.assessees.set(assessees if rule == AssesseeRule.NAMED else [])
        _write_indicators(template, indicators)
        after = _template_snapshot(template)
        if before != after:
            audit.record(actor=actor, action="assessment.template." + ("create" if created else "update"),
                         instance=template, org=assessor, before=before, after=after,
                         comment="\n".join(warnings))
    return template, created, warnings


def copy_template(*, actor, template: Template, year: int) -> Template:
    """The same template (indicators, items, factors, assessees) for another year."""
    require(actor, Action.MANAGE, template.assessor)
    return _copy_template(actor, template, year)


def _copy_template(actor, template: Template, year: int) -> Template:
    """Unchecked: ``copy_template``, or a step of opening a round that checked its actor."""
    with transaction.atomic():
        exists = Template.objects.filter(assessor=template.assessor, year=year,
                                         assessee_key=template.assessee_key).first()
        if exists is not None:
            raise ValidationError(
                _("%(assessor)s already has a %(year)d template for %(assessees)s.")
                % {"assessor": template.assessor.name, "year": year,
                   "assessees": template.assessee_label()}, code="exists")
        title = template.title.replace(str(template.year), str(year), 1)
        copy = Template.objects.create(
            assessor=template.assessor, year=year, title=title, assessee_rule=template.assessee_rule,
            assessee_kind=template.assessee_kind, assessee_key=template.assessee_key,
            headers=[h.replace(str(template.year), str(year)) for h in template.headers],
            full_factor=template.full_factor, basic_factor=template.basic_factor,
            none_factor=template.none_factor, docs_penalty=template.docs_penalty,
            copied_from=template, source=template.source, is_demo=template.is_demo,
        )
        copy.assessees.set(template.assessees.all())
        _write_indicators(copy, [
            IndicatorSpec(number=i.number, name=i.name, weight=i.weight, section=i.section,
                          content=i.content, rule_text=i.rule_text, stated_points=i.stated_points,
                          items=[ItemSpec(it.number, it.text, it.points) for it in i.items.all()])
            for i in template.indicators.prefetch_related("items")
        ])
        audit.record(actor=actor, action="assessment.template.copy", instance=copy,
                     org=template.assessor, before={"from": template.pk, "year": template.year},
                     after=_template_snapshot(copy))
    return copy


def update_template_factors(*, actor, template: Template, **factors) -> Template:
    """Change the rule's factors (the admin); refused once the template has sheets."""
    require(actor, Action.MANAGE, template.assessor)
    with transaction.atomic():
        current = lock(template, None)
        before = _template_snapshot(current)
        changed = {k: v for k, v in factors.items() if getattr(current, k) != v}
        if not changed:
            return current
        if current.sheets.exists():
            raise ValidationError(_("This template already has sheets; its factors cannot change."))
        for name, value in changed.items():
            setattr(current, name, value)
        current.save_new_version()
        audit.record(actor=actor, action="assessment.template.update", instance=current,
                     org=current.assessor, before=before, after=_template_snapshot(current))
    return current


def delete_template(*, actor, template: Template) -> None:
    """Delete a template that has no sheets (the admin); audited with its full contents."""
    require(actor, Action.MANAGE, template.assessor)
    with transaction.atomic():
        current = lock(Template.objects.select_related("assessor").filter(pk=template.pk), None)
        if current.sheets.exists():
            raise ValidationError(
                _("The %(year)d template of %(assessor)s has sheets; it cannot be deleted.")
                % {"year": current.year, "assessor": current.assessor.name}, code="in_use")
        audit.record(actor=actor, action="assessment.template.delete", instance=current,
                     org=current.assessor, before=_template_snapshot(current))
        current.delete()
