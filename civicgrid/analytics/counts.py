"""The one screen's counters kept by the database: ``IntakeCount`` (cases received per
local day, area and channel, with how many of them are closed, rated and satisfied now)
and ``OpenCount`` (open cases per area, day of their deadline and alert flag).

Triggers on ``cases_case`` keep both in the same statement as any change of a case
(PostgreSQL: statement-level over the transition tables, so ``COPY`` and bulk updates
are counted too; SQLite: row-level), as ``cases.mapcounts`` keeps ``OpenMapCount``.
Installed by migration ``analytics.0002`` and again after every ``migrate`` (SQLite
drops a table's triggers when it rebuilds it) and when regions move (``refill``).

The area of a case is the screen's rule: its place (``region_path``) or, unplaced, its
owner centre (``owner_path``); a grid's cases are counted at its community, so the
tables stay small (a few rows per community and day): the district and street screens
read them; a community's or a grid's screen (its children are grids) counts its own few
cases (``figures``). "Overdue now" (``due_at < now``) is the open cases of the deadline
days before today (UTC), plus the few due today before now, counted live.
"""

from django.conf import settings

INTAKE = "analytics_intakecount"
OPEN = "analytics_opencount"
AREA = "COALESCE(NULLIF({t}.region_path, ''), {t}.owner_path, '')"
# A grid's cases count at its community (the grid's parent); any other area as itself.
COMMUNITY = (
    "COALESCE((SELECT p.path FROM regions_region g JOIN regions_region p ON p.id = g.parent_id "
    "WHERE g.path = {area} AND g.level = 'grid'), {area})"
)
IS_OPEN = "{t}.status NOT IN ('closed', 'merged')"
SATISFIED = "('satisfied', 'basically')"
INTAKE_COUNTERS = ("received", "closed", "rated", "satisfied")
INTAKE_UPSERT = "ON CONFLICT (day, area_path, channel) DO UPDATE SET " + ", ".join(
    f"{c} = {INTAKE}.{c} + excluded.{c}" for c in INTAKE_COUNTERS
)
OPEN_UPSERT = (
    "ON CONFLICT (area_path, due_day, alert) DO UPDATE SET "
    f"open_cases = {OPEN}.open_cases + excluded.open_cases"
)
COLUMNS = "created_at, region_path, owner_path, channel, status, rating, due_at"


def _zone_pg() -> str:
    return settings.TIME_ZONE.replace("'", "")


def _offset_sqlite() -> str:
    """SQLite has no time zones: the zone's offset now, as a date() modifier (the zone
    of a deployment on SQLite, a small office, has no daylight saving: Asia/Shanghai)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return f"'{minutes:+d} minutes'"


# --- PostgreSQL: statement-level triggers over the transition tables ---------------------


def _pg_intake_rows(t: str, sign: str) -> str:
    return (
        f"SELECT (created_at AT TIME ZONE '{_zone_pg()}')::date AS day, "
        f"{AREA.format(t=t)} AS area, channel, {sign}1 AS received, "
        f"{sign}(status = 'closed')::int AS closed, {sign}(rating <> '')::int AS rated, "
        f"{sign}(rating IN {SATISFIED})::int AS satisfied FROM {t}"
    )


def _pg_open_rows(t: str, sign: str) -> str:
    return (
        f"SELECT {AREA.format(t=t)} AS area, "
        "COALESCE(to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '') AS due_day, "
        f"channel = 'sensor' AS alert, {sign}1 AS n FROM {t} WHERE {IS_OPEN.format(t=t)}"
    )


def _pg_function(name: str, intake: list[str], opened: list[str]) -> str:
    community = "COALESCE(p.path, d.area)"
    joins = (
        "LEFT JOIN regions_region g ON g.path = d.area AND g.level = 'grid' "
        "LEFT JOIN regions_region p ON p.id = g.parent_id"
    )
    sums = ", ".join(f"sum({c})" for c in INTAKE_COUNTERS)
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in INTAKE_COUNTERS)
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO {INTAKE} (day, area_path, channel, {', '.join(INTAKE_COUNTERS)}) "
        f"SELECT d.day, {community}, d.channel, {sums} FROM ({' UNION ALL '.join(intake)}) "
        f"AS d {joins} GROUP BY 1, 2, 3 HAVING {nonzero} ORDER BY 1, 2, 3 {INTAKE_UPSERT}; "
        f"INSERT INTO {OPEN} (area_path, due_day, alert, open_cases) "
        f"SELECT {community}, d.due_day, d.alert, sum(n) FROM ({' UNION ALL '.join(opened)}) "
        f"AS d {joins} GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3 {OPEN_UPSERT}; "
        "RETURN NULL; END $$;"
    )


def pg_triggers() -> list[str]:
    new, old = ("new_rows", ""), ("old_rows", "-")
    return [
        _pg_function("analytics_counts_ins", [_pg_intake_rows(*new)], [_pg_open_rows(*new)]),
        _pg_function(
            "analytics_counts_upd",
            [_pg_intake_rows(*new), _pg_intake_rows(*old)],
            [_pg_open_rows(*new), _pg_open_rows(*old)],
        ),
        _pg_function("analytics_counts_del", [_pg_intake_rows(*old)], [_pg_open_rows(*old)]),
        "CREATE TRIGGER analytics_counts_ins AFTER INSERT ON cases_case REFERENCING NEW TABLE "
        "AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_counts_ins();",
        "CREATE TRIGGER analytics_counts_upd AFTER UPDATE ON cases_case REFERENCING OLD TABLE "
        "AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION analytics_counts_upd();",
        "CREATE TRIGGER analytics_counts_del AFTER DELETE ON cases_case REFERENCING OLD TABLE "
        "AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_counts_del();",
    ]


PG_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS analytics_counts_{op} ON cases_case;"
        for op in ("ins", "upd", "del")
    ),
    *(f"DROP FUNCTION IF EXISTS analytics_counts_{op}();" for op in ("ins", "upd", "del")),
]


# --- SQLite: row-level triggers ------------------------------------------------------------


def _sqlite_trigger(name: str, event: str, row: str, sign: str) -> str:
    area = COMMUNITY.format(area=AREA.format(t=row))
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON cases_case BEGIN "
        f"INSERT INTO {INTAKE} (day, area_path, channel, {', '.join(INTAKE_COUNTERS)}) "
        f"SELECT date({row}.created_at, {_offset_sqlite()}), {area}, {row}.channel, {sign}1, "
        f"{sign}({row}.status = 'closed'), {sign}({row}.rating <> ''), "
        f"{sign}({row}.rating IN {SATISFIED}) WHERE true {INTAKE_UPSERT}; "
        f"INSERT INTO {OPEN} (area_path, due_day, alert, open_cases) "
        f"SELECT {area}, COALESCE(strftime('%Y-%m-%d', {row}.due_at), ''), "
        f"{row}.channel = 'sensor', {sign}1 WHERE {IS_OPEN.format(t=row)} {OPEN_UPSERT}; END;"
    )


def sqlite_triggers() -> list[str]:
    return [
        _sqlite_trigger("analytics_counts_ins", "INSERT", "NEW", ""),
        _sqlite_trigger("analytics_counts_del", "DELETE", "OLD", "-"),
        _sqlite_trigger("analytics_counts_upd_old", f"UPDATE OF {COLUMNS}", "OLD", "-"),
        _sqlite_trigger("analytics_counts_upd_new", f"UPDATE OF {COLUMNS}", "NEW", ""),
    ]


SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS analytics_counts_{op};" for op in ("ins", "del", "upd_old", "upd_new")
]


def fill_sql(vendor: str) -> list[str]:
    """Count every case afresh into the two tables (one grouped pass each)."""
    area = f"COALESCE(p.path, {AREA.format(t='c')})"
    cases = (
        f"cases_case c LEFT JOIN regions_region g ON g.path = {AREA.format(t='c')} "
        "AND g.level = 'grid' LEFT JOIN regions_region p ON p.id = g.parent_id"
    )
    if vendor == "postgresql":
        day = f"(c.created_at AT TIME ZONE '{_zone_pg()}')::date"
        due = "COALESCE(to_char(c.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '')"
        flag = "(c.{0})::int"
    else:
        day = f"date(c.created_at, {_offset_sqlite()})"
        due = "COALESCE(strftime('%Y-%m-%d', c.due_at), '')"
        flag = "(c.{0})"
    counts = ", ".join(
        f"sum({flag.format(cond)})"
        for cond in ("status = 'closed'", "rating <> ''", f"rating IN {SATISFIED}")
    )
    return [
        f"DELETE FROM {INTAKE}",
        f"DELETE FROM {OPEN}",
        f"INSERT INTO {INTAKE} (day, area_path, channel, {', '.join(INTAKE_COUNTERS)}) "
        f"SELECT {day}, {area}, c.channel, count(*), {counts} FROM {cases} GROUP BY 1, 2, 3",
        f"INSERT INTO {OPEN} (area_path, due_day, alert, open_cases) "
        f"SELECT {area}, {due}, c.channel = 'sensor', count(*) FROM {cases} "
        f"WHERE {IS_OPEN.format(t='c')} GROUP BY 1, 2, 3",
    ]


def install(apps=None, schema_editor=None, connection=None) -> None:
    """(Re)create the triggers and count the cases afresh."""
    connection = connection or schema_editor.connection
    postgres = connection.vendor == "postgresql"
    statements = (PG_DROP + pg_triggers()) if postgres else (SQLITE_DROP + sqlite_triggers())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        for statement in fill_sql(connection.vendor):
            cursor.execute(statement)


def uninstall(apps, schema_editor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        for statement in PG_DROP if postgres else SQLITE_DROP:
            cursor.execute(statement)


def refill(using: str = "default") -> None:
    """Count afresh (after regions moved: a grid may sit under another community now)."""
    from django.db import connections, transaction

    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in fill_sql(connection.vendor):
            cursor.execute(statement)


# --- reading and checking ------------------------------------------------------------------


def counts_from_cases() -> tuple[dict, dict]:
    """Both tables recomputed from the cases in Python (tests and checks compare them
    with the tables): ({(day, area, channel): {counter: n}}, {(area, due day, alert): n})."""
    from datetime import UTC

    from django.utils import timezone

    from civicgrid.cases.models import CLOSED_ORDER, Case
    from civicgrid.regions.models import Level, Region

    community = {
        path: parent
        for path, parent in Region.objects.filter(level=Level.GRID).values_list(
            "path", "parent__path"
        )
    }
    intake: dict = {}
    opened: dict = {}
    fields = ("created_at", "region_path", "owner_path", "channel", "status", "rating", "due_at")
    for created, region_path, owner_path, channel, status, rating, due in Case.objects.values_list(
        *fields
    ).iterator(chunk_size=5000):
        area = region_path or owner_path or ""
        area = community.get(area) or area
        key = (timezone.localtime(created).date(), area, channel)
        slot = intake.setdefault(key, dict.fromkeys(INTAKE_COUNTERS, 0))
        slot["received"] += 1
        slot["closed"] += status == "closed"
        slot["rated"] += rating != ""
        slot["satisfied"] += rating in ("satisfied", "basically")
        if status not in CLOSED_ORDER:
            due_day = due.astimezone(UTC).strftime("%Y-%m-%d") if due else ""
            okey = (area, due_day, channel == "sensor")
            opened[okey] = opened.get(okey, 0) + 1
    return intake, opened


def counts_in_tables() -> tuple[dict, dict]:
    """The two tables as stored, zero rows left out, in ``counts_from_cases``' shape."""
    from .models import IntakeCount, OpenCount

    intake = {
        (r["day"], r["area_path"], r["channel"]): {c: r[c] for c in INTAKE_COUNTERS}
        for r in IntakeCount.objects.values("day", "area_path", "channel", *INTAKE_COUNTERS)
        if any(r[c] for c in INTAKE_COUNTERS)
    }
    opened = {
        (area, day, alert): n
        for area, day, alert, n in OpenCount.objects.values_list(
            "area_path", "due_day", "alert", "open_cases"
        )
        if n
    }
    return intake, opened
