from django import template

register = template.Library()

HOME_CATALOGUES = 8  # listed by name on the landing page; the rest behind "all catalogues"


@register.simple_tag(takes_context=True)
def home_catalogues(context):
    """The duty catalogues the signed-in user reads (home page): {"count": n, "first": [...]}."""
    from duties.selectors import visible_catalogues

    catalogues = visible_catalogues(context["request"].user).distinct()
    return {"count": catalogues.count(), "first": list(catalogues[:HOME_CATALOGUES])}


@register.simple_tag(takes_context=True)
def catalogue_org_for(context, org):
    """The org whose duty catalogue ``org``'s page links to (or None): see the selector."""
    from duties.selectors import catalogue_org_for as selector

    return selector(org, context["request"].user)
