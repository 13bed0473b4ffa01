from django import template

register = template.Library()

HOME_CATALOGUES = 8  # listed by name on the landing page; the rest behind "all catalogues"


@register.simple_tag(takes_context=True)
def home_catalogues(context):
    """The duty catalogues the signed-in user reads (home page): {"count": n, "first": [...]}."""
    from django.db.models import Count, Window

    from duties.models import Catalogue
    from duties.selectors import visible_catalogues

    # One query, however many there are: the first ones with their total beside them (a window
    # count over the catalogues, each once, before the limit), instead of a count and a list.
    from orgs.selectors import user_scope

    request = context["request"]

    def catalogues():
        visible = visible_catalogues(request.user).values("pk")
        first = list(Catalogue.objects.filter(pk__in=visible).select_related("org")
                     .order_by("org__tree_id", "org__lft").annotate(total=Window(Count("pk")))[:HOME_CATALOGUES])
        return {"count": first[0].total if first else 0, "first": first}

    # Kept until a catalogue is written, shared by everyone with the same grants.
    return user_scope(request).until_written("home.catalogues", ("duties",), catalogues)


@register.simple_tag(takes_context=True)
def catalogue_org_for(context, org):
    """The org whose duty catalogue ``org``'s page links to (or None): see the selector."""
    from duties.selectors import catalogue_org_for as selector
    from orgs.selectors import user_scope

    request = context["request"]
    # Two queries on every org page: kept until a catalogue or an org is written.
    return user_scope(request).until_written(f"duties.catalogue_org_for:{org.pk}", ("duties",),
                                             lambda: selector(org, request.user))
