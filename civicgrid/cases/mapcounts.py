"""``OpenMapCount`` kept by the database: triggers on ``cases_case`` for PostgreSQL
(statement-level, over the transition tables: one upsert per statement, bulk updates
included) and SQLite (row-level), and a refill from the cases.

Installed by migration ``cases.0013`` and again after every ``migrate`` (``apps.py``):
SQLite rebuilds a table it alters, and its triggers go with the old table.
"""

# --- the triggers that keep OpenMapCount equal to the open cases on the map -------------
# A case counts when it is open (not closed nor merged) and placed (lat and lng); it is
# overdue when the overdue scan marked it for its deadline (overdue_marked_for = due_at).
OPEN = "{t}.status NOT IN ('closed', 'merged') AND {t}.lat IS NOT NULL AND {t}.lng IS NOT NULL"
OVERDUE = "({t}.overdue_marked_for IS NOT NULL AND {t}.overdue_marked_for = {t}.due_at)"
UPSERT = (
    "ON CONFLICT (region_path, owner) DO UPDATE SET "
    "open_cases = cases_openmapcount.open_cases + excluded.open_cases, "
    "overdue_cases = cases_openmapcount.overdue_cases + excluded.overdue_cases"
)
COLUMNS = "status, lat, lng, region_path, owner_region_id, overdue_marked_for, due_at"


def _pg_rows(table: str, sign: str) -> str:
    return (
        f"SELECT region_path, coalesce(owner_region_id, 0) AS owner, {sign}1 AS n, "
        f"{sign}{OVERDUE.format(t=table)}::int AS o FROM {table} WHERE {OPEN.format(t=table)}"
    )


def _pg_function(name: str, parts: list[str]) -> str:
    rows = " UNION ALL ".join(parts)
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO cases_openmapcount (region_path, owner, open_cases, overdue_cases) "
        f"SELECT region_path, owner, sum(n), sum(o) FROM ({rows}) AS d "
        "GROUP BY region_path, owner HAVING sum(n) <> 0 OR sum(o) <> 0 "
        f"ORDER BY region_path, owner {UPSERT}; RETURN NULL; END $$;"
    )


PG_TRIGGERS = [
    _pg_function("cases_open_map_ins", [_pg_rows("new_rows", "")]),
    _pg_function("cases_open_map_upd", [_pg_rows("new_rows", ""), _pg_rows("old_rows", "-")]),
    _pg_function("cases_open_map_del", [_pg_rows("old_rows", "-")]),
    "CREATE TRIGGER cases_open_map_ins AFTER INSERT ON cases_case REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_open_map_ins();",
    "CREATE TRIGGER cases_open_map_upd AFTER UPDATE ON cases_case REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_open_map_upd();",
    "CREATE TRIGGER cases_open_map_del AFTER DELETE ON cases_case REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_open_map_del();",
]
PG_DROP = [
    *(f"DROP TRIGGER IF EXISTS cases_open_map_{op} ON cases_case;" for op in ("ins", "upd", "del")),
    *(f"DROP FUNCTION IF EXISTS cases_open_map_{op}();" for op in ("ins", "upd", "del")),
]


def _sqlite_trigger(name: str, event: str, row: str, sign: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON cases_case WHEN {OPEN.format(t=row)} BEGIN "
        "INSERT INTO cases_openmapcount (region_path, owner, open_cases, overdue_cases) "
        f"VALUES ({row}.region_path, coalesce({row}.owner_region_id, 0), {sign}1, "
        f"{sign}{OVERDUE.format(t=row)}) {UPSERT}; END;"
    )


SQLITE_TRIGGERS = [
    _sqlite_trigger("cases_open_map_ins", "INSERT", "NEW", ""),
    _sqlite_trigger("cases_open_map_del", "DELETE", "OLD", "-"),
    _sqlite_trigger("cases_open_map_upd_old", f"UPDATE OF {COLUMNS}", "OLD", "-"),
    _sqlite_trigger("cases_open_map_upd_new", f"UPDATE OF {COLUMNS}", "NEW", ""),
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS cases_open_map_{op};" for op in ("ins", "del", "upd_old", "upd_new")
]
FILL = (
    "INSERT INTO cases_openmapcount (region_path, owner, open_cases, overdue_cases) "
    "SELECT region_path, coalesce(owner_region_id, 0), count(*), "
    f"sum(CASE WHEN {OVERDUE.format(t='cases_case')} THEN 1 ELSE 0 END) "
    f"FROM cases_case WHERE {OPEN.format(t='cases_case')} "
    "GROUP BY region_path, coalesce(owner_region_id, 0)"
)


def install(apps=None, schema_editor=None, connection=None):
    """(Re)create the triggers and count the open cases afresh."""
    connection = connection or schema_editor.connection
    postgres = connection.vendor == "postgresql"
    statements = (PG_DROP + PG_TRIGGERS) if postgres else (SQLITE_DROP + SQLITE_TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_openmapcount")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(FILL)


def uninstall(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        for statement in PG_DROP if postgres else SQLITE_DROP:
            cursor.execute(statement)
