"""How the scope matrix fills every URL pattern, and what each role must get inside its scope.

``ROUTES`` maps each pattern exactly as the resolver spells it (``resolve(path).route``) to a
``Route``: the arguments taken from one side of the world (``tests/security/world.py``) and
the answer each role gets for the INSIDE record.  Outside, every role gets 404 (403 in the
admin for a user the admin is closed to) — that is fixed by the test, not listed here.
A pattern missing from this table fails ``test_every_url_pattern_is_in_the_matrix``: a new URL
joins the matrix by adding a line here.
"""

from collections.abc import Callable
from dataclasses import dataclass

ROLES = ("staff", "reviewer", "scorer", "clerk", "admin")
USERS = (*ROLES, "nogrant", "anonymous")


def roles(default: int, *, nogrant: int = 404, **override: int) -> dict[str, int]:
    """The inside answer of each signed-in user (the anonymous one goes to the sign-in page)."""
    return {**dict.fromkeys(ROLES, default), "nogrant": nogrant, **override}


VIEW = roles(200)  # a1's records: every role of branch A sees them (staff: its own union)
BRANCH = roles(200, staff=404)  # A's records: staff of a1 does not see its system union
EVERYONE = roles(200, nogrant=200)  # pages of the signed-in user, not of an org
RECORD = roles(403, staff=200, admin=200)  # governance records: the union's staff and admins
RECORD_INVALID = roles(403, staff=400, admin=400)  # the same, posting an empty form
FILL = roles(403, staff=302)
ADMIN = roles(403, nogrant=403, admin=200)  # the admin: closed as a whole to other roles
ADMIN_DENIED = roles(403, nogrant=403)


@dataclass(frozen=True)
class Route:
    """One URL pattern.  ``kwargs(side)`` fills it from a side of the world (``None``: the
    pattern names no record; it is asked once, and no outside name may appear in it)."""

    kwargs: Callable | None = None
    get: dict | None = None  # inside answer to GET per user; None: not asked by GET (POST-only)
    post: dict | None = None  # inside answer to a POST per user; None: no POST case
    data: Callable | None = None  # the POST body, from the side (outside: aimed at B's records)
    query: str = ""
    public: frozenset = frozenset()  # users that get the listed answer even when anonymous
    anonymous: int | None = None  # the anonymous answer when the page is public
    path: str | Callable | None = None  # the path to ask (regex patterns, records of no side)
    post_scoped: bool = False  # a POST to a pattern without a record whose body names records

    def scoped(self) -> bool:
        return self.kwargs is not None


def _unit(s):
    return {"code": s.unit}


def _branch(s):
    return {"code": s.branch}


def _unit_pk(attr):
    return lambda s: {"code": s.unit, "pk": getattr(s, attr)}


def _pk(attr):
    return lambda s: {"pk": getattr(s, attr)}


def _sheet(s):
    return {"year": s.year, "code": s.unit}


def _round(s):
    return {"code": s.branch, "year": s.year}


def _evaluation(s):
    return {"code": s.unit, "year": s.year}


def _notification_defaults(s):
    """The notification settings form as it comes (every kind at its default)."""
    from unionportal.notifications import kinds

    return {f"kind:{kind.code}": kind.default for kind in kinds.ordered()}


def _csv(kwargs_of):
    return lambda s: {**kwargs_of(s), "fmt": "csv"}


PORTAL: dict[str, Route] = {
    # --- the signed-in user's own pages, sign-in and language -------------------------------
    "": Route(get=EVERYONE),
    "healthz": Route(get=roles(200, nogrant=200), anonymous=200),
    "favicon.ico": Route(get=roles(200, nogrant=200), anonymous=200),
    "accounts/login/": Route(get=roles(302, nogrant=302), anonymous=200),
    "accounts/login/code/": Route(get=roles(302, nogrant=302), anonymous=302),  # without a pending sign-in
    "accounts/two-factor/": Route(get=EVERYONE),
    "accounts/two-factor/remove/": Route(post=roles(302, nogrant=302)),
    "accounts/logout/": Route(post=roles(302, nogrant=302)),
    "accounts/password/": Route(get=EVERYONE),
    "accounts/password/done/": Route(get=EVERYONE),
    "i18n/setlang/": Route(post=roles(302, nogrant=302), anonymous=302, data=lambda s: {"language": "en"}),
    # --- the inbox: the signed-in user's own notifications (another user's: 404, in
    # tests/notifications/test_inbox.py; no notification exists in the world, so the id is missing)
    "inbox/": Route(get=EVERYONE),
    "inbox/<int:pk>/read/": Route(post=roles(404, nogrant=404), path="/inbox/987654321/read/"),
    "inbox/read-all/": Route(post=roles(302, nogrant=302)),
    "inbox/settings/": Route(get=EVERYONE, post=roles(302, nogrant=302), data=_notification_defaults),
    # --- background jobs: scoped like their subject (a1's job, started by the system) -----------
    "jobs/<int:pk>/": Route(_pk("job"), get=VIEW),
    "jobs/<int:pk>/download/": Route(_pk("job"), get=VIEW),
    # --- orgs and governance -----------------------------------------------------------------
    "orgs/": Route(get=EVERYONE),
    "orgs/<orgcode:code>/": Route(_unit, get=VIEW),
    "orgs/<orgcode:code>.<tablefmt:fmt>": Route(_csv(_unit), get=VIEW),
    "orgs/<orgcode:code>/governance/": Route(_unit, get=VIEW),
    "orgs/<orgcode:code>/governance/dashboard/": Route(_unit, get=VIEW),
    "orgs/<orgcode:code>/governance/overdue.<tablefmt:fmt>": Route(_csv(_unit), get=VIEW),
    "orgs/<orgcode:code>/governance/meetings/new/": Route(_unit, get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/meetings/<int:pk>/": Route(_unit_pk("meeting"), get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/meetings/<int:pk>.pdf": Route(_unit_pk("meeting"), get=VIEW),
    "orgs/<orgcode:code>/governance/meetings/<int:pk>/minutes": Route(_unit_pk("meeting"), get=VIEW),
    "orgs/<orgcode:code>/governance/congresses/new/": Route(_unit, get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/congresses/<int:pk>/election/": Route(_unit_pk("congress"), get=RECORD,
                                                                          post=RECORD),
    "orgs/<orgcode:code>/governance/congresses/<int:pk>/by-election/": Route(_unit_pk("congress"), get=RECORD,
                                                                             post=RECORD),
    "orgs/<orgcode:code>/governance/congresses/<int:pk>/sessions/new/": Route(_unit_pk("congress"), get=RECORD,
                                                                              post=RECORD),
    "orgs/<orgcode:code>/governance/congresses/<int:pk>/committees/<slug:kind>/": Route(
        lambda s: {"code": s.unit, "pk": s.congress, "kind": "funds"}, get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/delegates/<int:pk>/end/": Route(_unit_pk("delegate"), get=RECORD,
                                                                    post=RECORD),
    "orgs/<orgcode:code>/governance/sessions/<int:pk>/motions/new/": Route(_unit_pk("session"), get=RECORD,
                                                                           post=RECORD),
    "orgs/<orgcode:code>/governance/motions/<int:pk>.pdf": Route(_unit_pk("motion"), get=VIEW),
    "orgs/<orgcode:code>/governance/consultations/new/": Route(_unit, get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/consultations/<int:pk>/": Route(_unit_pk("consultation"), get=RECORD,
                                                                    post=RECORD),
    "orgs/<orgcode:code>/governance/terms/new/": Route(_unit, get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/terms/<int:pk>/": Route(_unit_pk("term"), get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/expenses/new/": Route(_unit, get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/expenses/<int:pk>/": Route(_unit_pk("expense"), get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/expenses/limits/": Route(_unit, get=RECORD, post=RECORD),
    "orgs/<orgcode:code>/governance/<slug:kind>/<int:pk>/void/": Route(
        lambda s: {"code": s.unit, "kind": "meeting", "pk": s.meeting}, get=RECORD, post=RECORD),
    # --- duty catalogues ---------------------------------------------------------------------
    "duties/": Route(get=EVERYONE),
    "duties/compare/<orgcode:code>/": Route(_branch, get=BRANCH),
    "duties/<orgcode:code>/": Route(_unit, get=VIEW),
    "duties/<orgcode:code>/items/<int:pk>/": Route(_unit_pk("item"), get=VIEW),
    "duties/<orgcode:code>/changes/": Route(_unit, get=VIEW),
    "duties/<orgcode:code>.pdf": Route(_unit, get=VIEW),
    "duties/<orgcode:code>.<tablefmt:fmt>": Route(_csv(_unit), get=VIEW),
    # --- assessment --------------------------------------------------------------------------
    "assessment/": Route(get=EVERYONE),
    "assessment/<int:year>/<orgcode:code>/": Route(_sheet, get=VIEW),
    "assessment/<int:year>/<orgcode:code>.pdf": Route(_sheet, get=VIEW),
    "assessment/<int:year>/<orgcode:code>.<tablefmt:fmt>": Route(_csv(_sheet), get=VIEW),
    "assessment/<int:year>/<orgcode:code>/fill/": Route(_sheet, post=roles(403, staff=400)),
    "assessment/<int:year>/<orgcode:code>/review/": Route(_sheet, post=roles(403)),
    "assessment/<int:year>/<orgcode:code>/reopen/": Route(_sheet, post=roles(403, scorer=302)),
    "assessment/<int:year>/<orgcode:code>/upload/": Route(_sheet, post=FILL),
    "assessment/evidence/<int:pk>/": Route(_pk("evidence"), get=VIEW),
    "assessment/evidence/<int:pk>/delete/": Route(_pk("evidence"), post=FILL),
    "assessment/rounds/<orgcode:code>/open/": Route(_branch, get=roles(403, staff=404, scorer=200, admin=200),
                                                    post=roles(403, staff=404, scorer=200, admin=200)),
    "assessment/rounds/<orgcode:code>/<int:year>/": Route(_round, get=BRANCH,
                                                          post=roles(403, staff=404, scorer=302, admin=302)),
    "assessment/rounds/<orgcode:code>/<int:year>/ranking/": Route(_round, get=BRANCH),
    "assessment/rounds/<orgcode:code>/<int:year>/results.<tablefmt:fmt>": Route(_csv(_round), get=BRANCH),
    "assessment/rounds/<orgcode:code>/<int:year>.pdf": Route(_round, get=BRANCH),
    "assessment/rounds/<orgcode:code>/<int:year>/finalise/": Route(_round, post=roles(403, staff=404, scorer=302)),
    "assessment/templates/<int:pk>/": Route(_pk("template"), get=BRANCH, post=roles(403, staff=404, admin=200)),
    "assessment/unions/<orgcode:code>/": Route(_unit, get=VIEW),
    "assessment/unions/<orgcode:code>/evaluations/": Route(_unit, get=roles(302)),
    "assessment/unions/<orgcode:code>/evaluations/<int:year>/": Route(
        _evaluation, get=roles(403, staff=200, reviewer=200, admin=200), post=roles(403, staff=400, admin=400)),
    "assessment/unions/<orgcode:code>/evaluations/<int:year>/approve/": Route(
        _evaluation, post=roles(403, reviewer=302, admin=302)),
    "assessment/unions/<orgcode:code>/evaluations/<int:year>/publish/": Route(_evaluation, post=RECORD_INVALID),
    "assessment/unions/<orgcode:code>/evaluations/<int:year>/rectifications/": Route(
        _evaluation, post=RECORD_INVALID),
    # --- member services ---------------------------------------------------------------------
    "services/": Route(get=EVERYONE),
    "services/cases/": Route(get=EVERYONE),
    # a1's case waits at A, whose reviewer acts on it (an empty form: 400)
    "services/cases/<int:pk>/": Route(_pk("case"), get=VIEW, post=roles(403, reviewer=400)),
    "services/cases/<int:pk>.pdf": Route(_pk("case"), get=VIEW),
    "services/attachments/<int:pk>/": Route(_pk("attachment"), get=VIEW),
    "services/types/<int:pk>/": Route(_pk("service_type"), get=VIEW),
    "services/org/<orgcode:code>/": Route(_unit, get=VIEW),
    "services/org/<orgcode:code>/apply/": Route(_unit, get=roles(403, staff=200)),
    "services/org/<orgcode:code>/apply/<slug:type_code>/": Route(
        lambda s: {"code": s.unit, "type_code": s.type_code}, get=roles(403, staff=200),
        post=roles(403, staff=200)),
    "services/org/<orgcode:code>/model-workers/": Route(_unit, get=VIEW),
    "services/org/<orgcode:code>/model-workers.<tablefmt:fmt>": Route(_csv(_unit), get=VIEW),
    "services/org/<orgcode:code>/budget/": Route(_unit, get=roles(302)),
    "services/org/<orgcode:code>/budget/<year:year>/": Route(lambda s: {"code": s.unit, "year": s.year}, get=VIEW),
    "services/org/<orgcode:code>/budget/<year:year>.<budgetfmt:fmt>": Route(
        lambda s: {"code": s.unit, "year": s.year, "fmt": "xlsx"}, get=VIEW),
    "services/org/<orgcode:code>/funds/": Route(_unit, get=VIEW),
    "services/org/<orgcode:code>/funds/<year:year>/": Route(lambda s: {"code": s.unit, "year": s.year}, get=VIEW),
    "services/org/<orgcode:code>/mutual-aid/": Route(_unit, get=VIEW),
    "services/mutual-aid/<int:pk>/close/": Route(_pk("mutual"), post=roles(403, admin=302)),
}


# --- the admin ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    """A registered model: the side's record it opens, and what an org admin may do inside."""

    attr: str  # the record's name on each side of the world
    add: bool = False
    delete: bool = False
    owned: bool = True  # False: a record of no org, for superusers only (403 to an org admin)


ADMIN_MODELS: dict[str, AdminModel] = {
    "unionportal/auditentry": AdminModel("audit"),
    "auth/group": AdminModel("group", owned=False),
    "axes/accessattempt": AdminModel("accessattempt", owned=False),
    "axes/accessfailurelog": AdminModel("accessfailurelog", owned=False),
    "axes/accesslog": AdminModel("accesslog", owned=False),
    "otp_totp/totpdevice": AdminModel("totpdevice", owned=False),
    "unionportal/signinevent": AdminModel("signinevent", owned=False),
    "django_tasks_database/dbtaskresult": AdminModel("taskresult", owned=False),  # the job queue's rows
    "orgs/org": AdminModel("org", add=True, delete=True),
    "orgs/grant": AdminModel("grant", add=True, delete=True),
    "auth/user": AdminModel("user", add=True),
    "governance/meeting": AdminModel("meeting"),
    "governance/congress": AdminModel("congress"),
    "governance/congresssession": AdminModel("session"),
    "governance/specialcommittee": AdminModel("committee"),
    "governance/consultation": AdminModel("consultation"),
    "governance/committeeterm": AdminModel("term"),
    "governance/expense": AdminModel("expense"),
    "governance/expenselimits": AdminModel("limits"),
    "governance/federationrules": AdminModel("rules", add=True, delete=True),
    "duties/catalogue": AdminModel("catalogue", add=True),
    "duties/catalogueversion": AdminModel("version"),
    "duties/dutyitem": AdminModel("item", add=True),
    "assessment/template": AdminModel("template", delete=True),
    "assessment/round": AdminModel("round"),
    "assessment/sheet": AdminModel("sheet"),
    "assessment/memberevaluation": AdminModel("evaluation", delete=True),
    "services/servicetype": AdminModel("service_type", add=True, delete=True),
    "services/budgetrate": AdminModel("rate", add=True, delete=True),
    "services/modelworker": AdminModel("worker", add=True, delete=True),
    "services/fundrecord": AdminModel("fund", add=True, delete=True),
    "services/mutualaidround": AdminModel("mutual", add=True, delete=True),
    "services/legalpersoncertificate": AdminModel("certificate", add=True, delete=True),
    "services/case": AdminModel("case"),
}


def _admin_routes(label: str, model: AdminModel) -> dict[str, Route]:
    prefix = f"admin/{label}/"

    def obj(s):
        return {"object_id": getattr(s, model.attr)}

    def selected(s):
        return {"action": "delete_selected", "_selected_action": [getattr(s, model.attr)], "post": "yes"}

    allowed = ADMIN if model.owned else ADMIN_DENIED
    deletable = model.delete and model.owned
    return {
        # "Delete selected" aimed at B's record: nothing changes (the answer to the admin is not
        # pinned: the list again, or back to it; inside it really deletes, or lists what blocks it).
        prefix: Route(get=allowed, post=roles(403, nogrant=403, admin=None if model.owned else 403), data=selected,
                      post_scoped=True),
        prefix + "add/": Route(get=allowed if model.add else ADMIN_DENIED),
        prefix + "<path:object_id>/history/": Route(obj, get=allowed),
        prefix + "<path:object_id>/delete/": Route(
            obj, get=allowed if deletable else ADMIN_DENIED,
            post=roles(403, nogrant=403, admin=None) if deletable else ADMIN_DENIED,
            data=lambda s: {"post": "yes"}),
        prefix + "<path:object_id>/change/": Route(
            obj, get=allowed, post=roles(403, nogrant=403, admin=None if model.owned else 403)),
        # Django's bare <id>/ sends any id on to <id>/change/ without reading it.
        prefix + "<path:object_id>/": Route(obj, get=roles(403, nogrant=403, admin=302)),
    }


def _upload(name, header, row):
    """A file for an admin import whose row names the side's org (B's outside: refused)."""
    return lambda s: {"file": (name, f"{header}\n{row(s)}\n".encode())}


WORKERS_CSV = _upload("workers.csv", "姓名,工作单位编码,级别,获评次数,首次获评年度,是否退休",
                      lambda s: f"导入劳模,{s.unit},市级,1,2015,否")
TEMPLATE_CSV = _upload("template.csv", "考核单位编码,被考核单位编码,年度,序号,考核指标,考核内容,扣分方法,权重",
                       lambda s: f"{s.branch},,2027,1,导入指标,导入内容,全面完成得满分,100")
ORGS_CSV = _upload("orgs.csv", "编码,名称,上级编码,类型", lambda s: f"{s.unit}-new,导入的工会,{s.unit},基层工会")

ADMIN_SITE: dict[str, Route] = {
    "admin/": Route(get=ADMIN),
    "admin/login/": Route(get=roles(403, nogrant=403, admin=302)),
    "admin/logout/": Route(post=roles(403, nogrant=403, admin=302), anonymous=302),
    "admin/password_change/": Route(get=ADMIN),
    "admin/password_change/done/": Route(get=ADMIN),
    "admin/jsi18n/": Route(get=ADMIN),
    "admin/(?P<url>.*)$": Route(get=roles(403, nogrant=403, admin=404), path="/admin/no-such-page/"),
    # the org import and export open for whoever the gate lets manage (no model permission)
    "admin/orgs/org/import/": Route(get=ADMIN, post=roles(403, nogrant=403, admin=200),
                                    data=ORGS_CSV, post_scoped=True),
    "admin/orgs/org/export/": Route(get=ADMIN, post=ADMIN, data=lambda s: {"format": "1"}),
    # django-import-export's confirm step: a POST of a preview's signed token (none here: 404)
    "admin/orgs/org/process_import/": Route(get=roles(403, nogrant=403, admin=405),
                                            post=roles(403, nogrant=403, admin=404)),
    "admin/services/modelworker/process_import/": Route(get=roles(403, nogrant=403, admin=405),
                                                        post=roles(403, nogrant=403, admin=404)),
    "admin/assessment/template/process_import/": Route(get=roles(403, nogrant=403, admin=405),
                                                       post=roles(403, nogrant=403, admin=404)),
    # the export form; its POST downloads the changelist's rows, only those in scope
    "admin/services/modelworker/export/": Route(get=ADMIN, post=ADMIN, data=lambda s: {"format": "1"}),
    "admin/assessment/template/export/": Route(get=ADMIN, post=ADMIN, data=lambda s: {"format": "1"}),
    "admin/duties/dutyitem/import/": Route(get=ADMIN),
    "admin/duties/dutyitem/process_import/": Route(get=roles(403, nogrant=403, admin=405),
                                                   post=roles(403, nogrant=403, admin=404)),
    "admin/duties/dutyitem/export/": Route(get=ADMIN, post=ADMIN, data=lambda s: {"format": "1"}),
    # the preview of an import (nothing is written before the confirmation)
    "admin/services/modelworker/import/": Route(get=ADMIN, post=roles(403, nogrant=403, admin=200),
                                                data=WORKERS_CSV, post_scoped=True),
    "admin/assessment/template/import/": Route(get=ADMIN, post=roles(403, nogrant=403, admin=200),
                                               data=TEMPLATE_CSV, post_scoped=True),
    # django-otp's device pages (superusers only)
    "admin/otp_totp/totpdevice/<int:pk>/config/": Route(_pk("totpdevice"), get=ADMIN_DENIED),
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/": Route(_pk("totpdevice"), get=ADMIN_DENIED),
    "admin/auth/user/<id>/password/": Route(lambda s: {"id": s.user}, get=ADMIN,
                                            post=roles(403, nogrant=403, admin=200)),
}
for _label, _model in ADMIN_MODELS.items():
    ADMIN_SITE.update(_admin_routes(_label, _model))



def _app_index_pattern() -> str:
    """The admin's app index: one regex over the registered apps' labels (its set follows the
    models registered, which the table above lists one by one)."""
    from django.contrib import admin

    labels = "|".join(dict.fromkeys(model._meta.app_label for model in admin.site._registry))
    return f"admin/^(?P<app_label>{labels})/$"


ADMIN_SITE[_app_index_pattern()] = Route(get=ADMIN, path="/admin/orgs/")
ROUTES: dict[str, Route] = {**PORTAL, **ADMIN_SITE}

# Patterns asked in several ways: each variant is one more case of the matrix.
VIEW_ON_SITE = "admin/r/<path:content_type_id>/<path:object_id>/"
# model -> (the side's record, the admin's answer inside: a model without a page has no "view on site")
VIEW_ON_SITE_MODELS = {"orgs.org": ("org", 302), "assessment.sheet": ("sheet", 302),
                       "services.case": ("case", 302), "governance.meeting": ("meeting", 404)}
AUTOCOMPLETE = "admin/autocomplete/"
AUTOCOMPLETE_FIELDS = [("orgs", "org", "parent"), ("orgs", "grant", "org"), ("orgs", "grant", "user"),
                       *[("services", model, "org") for model in ("servicetype", "budgetrate", "modelworker",
                                                                  "fundrecord", "mutualaidround",
                                                                  "legalpersoncertificate")]]
VARIANTS: dict[str, list[str]] = {
    VIEW_ON_SITE: list(VIEW_ON_SITE_MODELS),
    AUTOCOMPLETE: [".".join(field) for field in AUTOCOMPLETE_FIELDS],
}
# Holes the matrix found that are being fixed elsewhere: (pattern, user, side) -> the report.
# Empty: every hole found so far is fixed and proved by the matrix (an entry is a strict xfail).
KNOWN_HOLES: dict[tuple[str, str, str], str] = {}
ROUTES[VIEW_ON_SITE] = Route(lambda s: {}, get=roles(403, nogrant=403, admin=302))  # filled per variant
ROUTES[AUTOCOMPLETE] = Route(get=ADMIN)


def all_patterns(resolver=None, prefix: str = "") -> list[str]:
    """Every URL pattern of the portal, through every include, as ``resolve().route`` spells it."""
    from django.urls import URLResolver, get_resolver

    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            found += all_patterns(pattern, prefix + str(pattern.pattern))
        else:
            found.append(prefix + str(pattern.pattern))
    return found
