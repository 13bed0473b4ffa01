"""The one data generator of every benchmark (issue 13): a city at full size, or a smaller profile.

``full``: 1 federation, 50 system and street unions, 5,000 base unions; 5 yearly rounds of 20
graded units (25,000 sheets, 500,000 units), 50,000 service cases with their steps, 10,000
model workers, 2,000 duty items in published and superseded versions, and per base union a
congress with a session a year and 12 committee meetings a year.  ``small`` is 1/10 of it
(the pinned query counts); ``scale`` shrinks any profile further (tests use it).

Deterministic (seeded), bulk writes, one tree rebuild.  Rounds are opened through the real
``open_round`` (the path the portal uses); earlier rounds are then finalised in bulk SQL.

    DATABASE_URL=postgres://…/up_bench .venv/bin/python -m bench.generate [full|small]
"""

import datetime as dt
import random
import sys
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

D = Decimal
CITY = "city"
PASSWORD = "bench-pass-2026"
YEARS = (2022, 2023, 2024, 2025, 2026)
CURRENT = YEARS[-1]


@dataclass(frozen=True)
class Profile:
    parents: int = 50  # system and street unions, half each
    bases: int = 5_000
    cases: int = 50_000
    workers: int = 10_000
    duty_items: int = 2_000  # over two versions (superseded, published) of each parent's catalogue
    meetings_per_year: int = 12
    staff_users: int = 200  # base unions whose staff have an account (load test)

    def scaled(self, factor: float) -> "Profile":
        def cut(n):
            return max(2, round(n * factor))
        return Profile(parents=max(2, cut(self.parents) // 2 * 2), bases=cut(self.bases), cases=cut(self.cases),
                       workers=cut(self.workers), duty_items=max(4, cut(self.duty_items) // 4 * 4),
                       meetings_per_year=self.meetings_per_year, staff_users=cut(self.staff_users))


PROFILES = {"full": Profile(), "small": Profile().scaled(0.1)}


def _bulk(model, rows, batch=5000):
    """Saves model instances: ``bulk_create`` (ids set on PostgreSQL and SQLite)."""
    return model.objects.bulk_create(list(rows), batch_size=batch)


def _prepared_rows(model, common: dict, rows: list[dict]):
    """(columns, values of each row) as ``_copy_rows`` writes them: the values every row shares
    (``common`` and the model's defaults) prepared once, each row's own values as given."""
    from django.db import connection

    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    by_name = {f.attname: f for f in fields} | {f.name: f for f in fields}
    proto = model(**common)
    shared = {f.attname: f.get_db_prep_save(f.pre_save(proto, True), connection) for f in fields}
    varying = [by_name[key] for key in rows[0]]
    position = {attname: n for n, attname in enumerate(shared, 1)}
    template = [None, *shared.values()]
    prepared = []
    for row in rows:
        values = list(template)
        for field, value in zip(varying, row.values(), strict=True):
            if hasattr(value, "pk"):
                value = value.pk
            values[position[field.attname]] = field.get_db_prep_save(value, connection)
        prepared.append(values)
    return [meta.pk.column, *shared], prepared


def _insert_rows_sqlite(model, common: dict, rows: list[dict]) -> list[int]:
    """``_copy_rows`` on SQLite: the ids numbered on from the table's highest (SQLite serialises
    writers, and an explicit id moves the table's AUTOINCREMENT counter past it)."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = model._meta.db_table
    columns, prepared = _prepared_rows(model, common, rows)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({quote(columns[0])}) FROM {quote(table)}")  # noqa: S608 (a model table)
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        counter = cursor.fetchone()
        first = max(highest, counter[0] if counter else 0) + 1
        ids = list(range(first, first + len(prepared)))
        for pk, values in zip(ids, prepared, strict=True):
            values[0] = pk
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                           f"VALUES ({placeholders})", prepared)
    return ids


def _copy_rows(model, common: dict, rows: list[dict]) -> list[int]:
    """Inserts ``model`` rows sharing ``common`` field values, each dict giving the rest; the ids.

    On PostgreSQL one COPY, the shared values prepared once (fast enough for 500,000 rows); on
    SQLite one ``executemany`` of rows prepared the same way (``bulk_create`` built a model
    instance and its SQL for each row: three quarters of the small profile's 12 s on SQLite);
    elsewhere ``bulk_create``.
    """
    from django.db import connection

    if not rows:
        return []
    if connection.vendor == "sqlite":
        return _insert_rows_sqlite(model, common, rows)
    if connection.vendor != "postgresql":
        return [o.pk for o in _bulk(model, (model(**common, **row) for row in rows))]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    by_name = {f.attname: f for f in fields} | {f.name: f for f in fields}
    proto = model(**common)
    shared = {f.attname: f.get_db_prep_save(f.pre_save(proto, True), connection) for f in fields}
    varying = [by_name[key].attname for key in rows[0]]
    # Plain values (numbers, text, dates, decimals) go to psycopg as they are; only JSON is prepared.
    prepare = [by_name[key] if by_name[key].get_internal_type() == "JSONField" else None for key in rows[0]]
    columns = ", ".join(connection.ops.quote_name(c) for c in ["id", *shared])
    position = {attname: n for n, attname in enumerate(shared, 1)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [meta.db_table, len(rows)])
        ids = [pk for (pk,) in cursor.fetchall()]
        template = [None, *shared.values()]
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = list(template)
                values[0] = pk
                for attname, field, value in zip(varying, prepare, row.values(), strict=True):
                    if field is not None:
                        value = field.get_db_prep_save(value, connection)
                    elif hasattr(value, "pk"):
                        value = value.pk
                    values[position[attname]] = value
                copy.write_row(values)
    return ids


def build_tree(p: Profile):
    from orgs.models import Org
    from unionportal.tree import rebuild_tree

    fed = Org.objects.create(code=CITY, name="基准市总工会", kind="federation")
    half = p.parents // 2
    parents = [Org(code=f"{CITY}-s{i:02d}", name=f"基准市第{i}系统工会", kind="system", parent=fed,
                   tree_id=fed.tree_id, lft=0, rght=0, level=1) for i in range(half)]
    parents += [Org(code=f"{CITY}-t{i:02d}", name=f"基准市第{i}街道工会", kind="street", parent=fed,
                    tree_id=fed.tree_id, lft=0, rght=0, level=1) for i in range(p.parents - half)]
    parents = _bulk(Org, parents)
    bases = []
    for n in range(p.bases):
        parent = parents[n % len(parents)]
        bases.append(Org(code=f"{parent.code}-b{n:04d}", name=f"{parent.name}第{n}基层工会", kind="base",
                         parent=parent, tree_id=fed.tree_id, lft=0, rght=0, level=2, members=30 + n % 400,
                         workers=40 + n % 500, is_enterprise=n % 7 != 0))
    _bulk(Org, bases)
    rebuild_tree(Org, fed.tree_id)
    fed.refresh_from_db()
    return fed


def build_users(p: Profile, fed):
    """Accounts by role: staff of the first bases, reviewers of each parent, scorers, clerks, admin."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from orgs.models import Grant, Org

    User = get_user_model()
    hashed = make_password(PASSWORD)
    parents = list(Org.objects.filter(parent=fed).order_by("lft"))
    bases = list(Org.objects.filter(kind="base", tree_id=fed.tree_id).order_by("lft")[: p.staff_users])
    plan = [(f"staff{i:04d}", "staff", org) for i, org in enumerate(bases)]
    plan += [(f"reviewer{i:02d}", "reviewer", org) for i, org in enumerate(parents)]
    plan += [(f"scorer{i:02d}", "scorer", fed) for i in range(10)]
    plan += [(f"clerk{i:02d}", "clerk", fed) for i in range(20)]
    plan += [("fedreviewer", "reviewer", fed), ("fedadmin", "admin", fed)]
    users = _bulk(User, [User(username=name, password=hashed) for name, _role, _org in plan])
    _bulk(Grant, [Grant(user=u, role=role, org=org) for u, (_n, role, org) in zip(users, plan, strict=True)])


def _template(fed, year):
    from assessment import services
    from assessment.models import AssesseeRule

    indicators = []
    for n, weight in enumerate((20, 25, 25, 30), start=1):
        points = [D(weight) / 5] * 5
        indicators.append(services.IndicatorSpec(
            number=str(n), name=f"指标{n}", weight=D(weight), section="职能工作目标",
            content="\n".join(f"{i}、第{i}项工作（{pt}分）" for i, pt in enumerate(points, 1)),
            rule_text="全面完成得满分，基本完成得70%分；资料不全扣20%的分",
            items=[services.ItemSpec(str(i), f"第{i}项工作（{pt}分）", pt) for i, pt in enumerate(points, 1)]))
    return services.save_template(actor=_system(), assessor=fed, year=year, title=f"{year}年度基层工会工作考核细则",
                                  indicators=indicators, rule=AssesseeRule.KIND, kind="base")[0]


def _graded_units(indicators):
    """The template's graded units, wherever the refactoring of issue 11 keeps the function."""
    from assessment import selectors, services

    function = getattr(selectors, "graded_units", None) or services.graded_units
    return function(indicators)


def _system():
    """The portal itself as the actor (the code moving under issue 11 introduced it)."""
    try:
        from unionportal.actors import SYSTEM
    except ImportError:
        return None
    return SYSTEM


# The current round's sheets by status (the staff with accounts keep drafts to fill in).
CURRENT_MIX = ["final"] * 10 + ["submitted"] * 3 + ["reviewed"] * 2 + ["returned"] + ["draft"] * 4
GRADED = ("submitted", "reviewed", "scored", "final", "returned")


def _sheet_plan(year, org_index, rng, staff_users):
    if year != CURRENT:
        return "final"
    return "draft" if org_index < staff_users else rng.choice(CURRENT_MIX)


def _sheet_values(status, layout, phase, indicators, factors):
    """(unit rows, sheet fields) of one sheet: graded from a submission on, scored when final.

    The scores come from the portal's own ``scoring``; a sheet depends only on its status and
    ``phase`` (which units are "basic"), so the caller computes each pair once.
    """
    from assessment import scoring
    from assessment.models import Unit

    rows, units = [], []
    for position, (indicator, item, seq, points) in enumerate(layout, 1):
        row = {"indicator_id": indicator.pk, "item_id": item.pk if item else None, "seq": seq,
               "position": position, "points": points, "self_grade": "", "self_docs": None, "self_score": None,
               "review_grade": "", "review_docs": None, "final_score": None}
        if status in GRADED:
            basic = (phase + position) % 5 == 0
            score = (points * D("0.7")).quantize(D("0.01")) if basic else points
            row.update(self_grade="basic" if basic else "full", self_docs=True, self_score=score)
            reviewed = status in ("reviewed", "final")
            row.update(review_grade=row["self_grade"] if reviewed else "", review_docs=True if reviewed else None,
                       final_score=score if status == "final" else None)
        rows.append(row)
        units.append(Unit(indicator_id=indicator.pk, points=points, **{k: v for k, v in row.items() if k in (
            "self_grade", "self_score", "review_grade", "final_score")}))
    scores = scoring.indicator_scores(units, indicators, factors)
    done = status != "draft"
    fields = {"status": status, "submissions": int(done), "indicator_scores": scores,
              "self_total": scoring.sheet_total(D(r["self"]) for r in scores) if done else None,
              "final_total": (scoring.sheet_total(D(r["final"]) for r in scores)
                              if status == "final" else None)}
    return rows, fields


def build_rounds(p: Profile, fed, rng):
    """5 rounds of every base union, written in bulk as ``open_round`` would, then graded."""
    from django.utils import timezone

    from assessment import scoring
    from assessment.models import Round, Sheet, SheetEvent, Unit
    from orgs.models import Org

    bases = list(Org.objects.filter(kind="base", tree_id=fed.tree_id).order_by("lft").values_list("pk", "parent_id"))
    now = timezone.now()
    for year in YEARS:
        template = _template(fed, year)
        layout = _graded_units(template.indicators.prefetch_related("items"))
        indicators = {indicator.pk: indicator for indicator, *_rest in layout}
        factors = scoring.Factors.of(template)
        round_ = Round.objects.create(assessor=fed, year=year, deadline=dt.date(year, 12, 31))
        cache: dict = {}
        sheets, units = [], []
        for n, (org_id, parent_id) in enumerate(bases):
            status = _sheet_plan(year, n, rng, p.staff_users)
            key = (status, n % 5)
            if key not in cache:
                cache[key] = _sheet_values(status, layout, n % 5, indicators, factors)
            rows, fields = cache[key]
            units.append(rows)
            sheets.append({"org_id": org_id, "group_id": parent_id, **fields,
                           "submitted_at": now if status != "draft" else None,
                           "finalised_at": now if status == "final" else None})
        ids = _copy_rows(Sheet, {"round": round_, "template": template, "assessor": fed, "year": year}, sheets)
        _copy_rows(Unit, {}, [{"sheet_id": pk, **row} for pk, rows in zip(ids, units, strict=True) for row in rows])
        _copy_rows(SheetEvent, {"kind": SheetEvent.Kind.OPENED, "comment": str(round_.deadline)},
                   [{"sheet_id": pk} for pk in ids])


def build_cases(p: Profile, fed, rng):
    from django.utils import timezone

    from fixtures.hedong_catalogue import parse_hedong
    from orgs.models import Org
    from services.models import Case, CaseAction, CaseStatus
    from services.routing import route
    from services.seeding import SERVICE_TYPES, define_service_type

    catalogue = parse_hedong()
    types = [define_service_type(owner=fed, spec=spec, catalogue=catalogue)[0] for spec in SERVICE_TYPES]
    steps = {t.pk: list(t.steps.all()) for t in types}
    parents = {o.pk: o for o in Org.objects.filter(parent=fed)}
    bases = list(Org.objects.filter(kind="base", tree_id=fed.tree_id).order_by("lft"))
    now = timezone.now()
    cases, plans = [], []
    for n in range(p.cases):
        base = bases[n % len(bases)]
        kind = types[n % len(types)]
        position = rng.randrange(len(steps[kind.pk]))
        step = steps[kind.pk][position]
        submitted = now - dt.timedelta(days=rng.randrange(5 * 365), minutes=n)
        status = rng.choice([CaseStatus.IN_PROGRESS] + [CaseStatus.COMPLETED] * 3)
        cases.append({"service_type_id": kind.pk, "applicant_id": base.pk, "title": f"基准申请{n}",
                      "status": status, "current_step_id": step.pk,
                      "current_org_id": route(step.actor, base, [fed, parents[base.parent_id]]).pk,
                      "awaiting_applicant": step.applicant_fills, "submitted_at": submitted,
                      "closed_at": None if status == CaseStatus.IN_PROGRESS else submitted + dt.timedelta(days=9),
                      "due_at": submitted + dt.timedelta(days=10) if step.deadline_days else None,
                      "submit_token": uuid.UUID(int=rng.getrandbits(128))})
        plans.append(steps[kind.pk][: position + 1])
    ids = _copy_rows(Case, {"member_name": "某会员"}, cases)
    _copy_rows(CaseAction, {"actor_name": "基准"}, [
        {"case_id": pk, "step_id": step.pk, "step_position": step.position, "step_name": step.name,
         "org_id": case["applicant_id"], "kind": "submit" if step.position == 1 else "pass",
         "created_at": case["submitted_at"] + dt.timedelta(hours=step.position)}
        for pk, case, done in zip(ids, cases, plans, strict=True) for step in done])


def build_workers(p: Profile, fed, rng):
    from orgs.models import Org
    from services.models import ModelWorker

    bases = list(Org.objects.filter(kind="base", tree_id=fed.tree_id).values_list("pk", flat=True))
    _bulk(ModelWorker, [
        ModelWorker(name=f"劳模{n:05d}", id_tail=f"{n % 10000:04d}", org_id=bases[n % len(bases)],
                    level=rng.choice(["city", "city", "provincial", "national"]), honours=1 + n % 4,
                    first_year=1990 + n % 36, retired=n % 3 == 0, alive=n % 50 != 0)
        for n in range(p.workers)])


def build_duties(p: Profile, fed):
    from django.utils import timezone

    from duties.models import Catalogue, CatalogueVersion, Department, DutyItem
    from orgs.models import Org

    owners = list(Org.objects.filter(parent=fed).order_by("lft"))
    per_version = max(1, p.duty_items // (2 * len(owners)))
    catalogues = _bulk(Catalogue, [Catalogue(org=o, title=f"{o.name}职责清单") for o in owners])
    now = timezone.now()
    versions = _bulk(CatalogueVersion, [
        CatalogueVersion(catalogue=c, number=n, status="superseded" if n == 1 else "published",
                         title=c.title, published_at=now)
        for c in catalogues for n in (1, 2)])
    departments = _bulk(Department, [Department(version=v, name="办公室", supervision="电话：0000-0000000")
                                     for v in versions])
    items = []
    for version, department in zip(versions, departments, strict=True):
        for n in range(1, per_version + 1):
            item = DutyItem(version=version, number=str(n), name=f"第{n}项职责：组织开展职工服务工作（第{version.number}版）",
                            legal_basis=["《中华人民共和国工会法》"], department=department,
                            boundary="负责组织、协调、指导", workflows=[{"title": "", "steps": ["受理", "审核", "办结"]}],
                            documents=["申请书"], responsibilities=["受理责任", "审查责任"], position=n)
            item.search_text = item.build_search_text()
            items.append(item)
    _bulk(DutyItem, items)


def build_governance(p: Profile, fed):
    from django.apps import apps

    from orgs.models import Org

    def model(name):  # the governance records are their own app's (or, before, the orgs app's)
        try:
            return apps.get_model("governance", name)
        except LookupError:
            return apps.get_model("orgs", name)

    Congress, CongressSession, Meeting = (model(name) for name in ("Congress", "CongressSession", "Meeting"))
    bases = list(Org.objects.filter(kind="base", tree_id=fed.tree_id).values_list("pk", flat=True))
    congresses = _copy_rows(Congress, {"kind": "workers"}, [{"org_id": b} for b in bases])
    _copy_rows(CongressSession, {"delegates_total": 30},
               [{"congress_id": c, "title": f"{y}年职工代表大会", "date": dt.date(y, 3, 15)}
                for c in congresses for y in YEARS])
    common = {"attendees": "\n".join(f"委员{i}" for i in range(7)), "agenda": "研究年度工作", "decisions": "通过",
              "members_total": 7, "quorum_needed": 4}
    for year in YEARS:  # a year at a time keeps memory flat
        _copy_rows(Meeting, common, [{"org_id": b, "kind": "full" if m % 6 == 0 else "standing",
                                      "date": dt.date(year, m % 12 + 1, 1 + m // 12)}
                                     for b in bases for m in range(p.meetings_per_year)])


def generate(profile: str | Profile = "full", scale: float = 1.0, seed: int = 13, log=print) -> Profile:
    """Fills an empty database; returns the sizes used."""
    from django.db import connection

    from orgs.models import Org

    p = PROFILES[profile] if isinstance(profile, str) else profile
    if scale != 1.0:
        p = p.scaled(scale)
    if Org.objects.filter(code=CITY).exists():
        raise RuntimeError("the benchmark city exists already: generate into an empty database")
    rng = random.Random(seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A bulk load of rows consistent by construction: foreign keys are not re-checked row
            # by row (superuser only; the tests' SQLite path checks them), commits do not wait.
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET session_replication_role = replica")
    try:
        _generate(p, log=log, rng=rng)
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET session_replication_role")
                cursor.execute("RESET synchronous_commit")
                # The state autovacuum leaves a production database in within a minute of a bulk
                # load: statistics, and the visibility map that lets a count over an index skip
                # the table (without it the federation's landing page read 50,000 case rows).
                # VACUUM, not only ANALYZE: the machine's own PostgreSQL may run without autovacuum.
                # (Inside a transaction, a test's, VACUUM cannot run: statistics only.)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return p


def _generate(p: Profile, log, rng) -> None:
    started = time.perf_counter()
    fed = build_tree(p)
    log(f"  generated the tree in {time.perf_counter() - started:.1f} s")
    steps = (("users", lambda: build_users(p, fed)), ("rounds", lambda: build_rounds(p, fed, rng)),
             ("cases", lambda: build_cases(p, fed, rng)), ("workers", lambda: build_workers(p, fed, rng)),
             ("duties", lambda: build_duties(p, fed)), ("governance", lambda: build_governance(p, fed)))
    for name, step in steps:
        started = time.perf_counter()
        step()
        log(f"  generated {name} in {time.perf_counter() - started:.1f} s")


def main(argv):
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    p = generate(argv[0] if argv else "full")
    print(f"generated {p} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
