"""Mediation at scale: the statistics table and the risk board over N disputes (PostgreSQL).

Not a test. ::

    createdb -h 127.0.0.1 -U postgres civicgrid_medbench
    uv run python bench/mediation.py --disputes 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/civicgrid_medbench

The database: the test district (2 streets, 4 grids), 20 mediation organisations of 5
mediators each, a leader of the district, and ``--disputes`` disputes over the last two
years, each the sidecar of a case of its own — cases, disputes and their mediators are
written with ``COPY`` (``--fresh`` drops the earlier ones; otherwise a database already
holding as many is reused). About 3 % are open (red 5 %, orange 15 %, the rest yellow),
the others finished: two thirds agreed (written or oral), a third failed.

Then the monthly rollup is rebuilt from the raw disputes (``statistics.rebuild``, timed),
and, through Django's test client signed in as the leader, ``--requests`` timed requests
(after ``--warmup``) of:

- the statistics table per organisation over a year (goal p95 ≤ 200 ms),
- the monthly statistics of one organisation (goal p95 ≤ 200 ms),
- the risk board (goal p95 ≤ 100 ms).

Printed, and written to ``bench/results/mediation.json``.
"""

import argparse
import io
import json
import os
import platform
import random
import statistics as stats
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

GOALS = {"statistics": 200.0, "statistics_month": 200.0, "risk_board": 100.0}
ORGANISATIONS = 20
MEDIATORS = 5
DAYS = 730
OPEN_SHARE = 0.03
PREFIX = "MB"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/civicgrid_medbench"
    )
    parser.add_argument("--fresh", action="store_true", help="drop the generated disputes first")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(HERE / "results" / "mediation.json"))
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # The server's own processor and database time per request (core/timing.py): on a
    # busy machine the wall-clock time grows with the wait for a processor, these hardly.
    os.environ["CIVICGRID_SERVER_TIMING"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()


def say(text: str) -> None:
    print(text, flush=True)  # noqa: T201


# --- the world ---------------------------------------------------------------------------


def world():
    from civicgrid.accounts.models import Role, User
    from civicgrid.cases.tests import factories as f
    from civicgrid.mediation.models import Mediator, Organisation, OrganisationKind
    from civicgrid.regions.models import Region
    from civicgrid.regions.tests.factories import make_district

    if not Region.objects.filter(code="379901000000").exists():
        make_district()
    district = Region.objects.get(code="379901000000")
    leader = User.objects.filter(username="medbench-leader").first()
    if leader is None:
        leader = f.make_user(Role.LEADER, regions=[district], username="medbench-leader")
    organisations = []
    for i in range(ORGANISATIONS):
        organisation, made = Organisation.objects.get_or_create(
            name=f"基准调委会{i:02d}",
            defaults={"kind": OrganisationKind.TEAM, "region": district},
        )
        if made:
            Mediator.objects.bulk_create(
                Mediator(name=f"调解员{i:02d}-{m}", organisation=organisation)
                for m in range(MEDIATORS)
            )
        organisations.append(organisation)
    return district, leader, organisations


# --- COPY ----------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _columns(model, overrides: set[str]) -> tuple[list[str], dict]:
    """Every concrete column of ``model`` and its default (``overrides`` come per row)."""
    columns, defaults = [], {}
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        default = field.get_default()
        if field.null and default in ("", None) and not field.empty_strings_allowed:
            default = None
        defaults[field.column] = default
    return columns, defaults


def copy_rows(cursor, model, rows, overrides: set[str], total: int, label: str) -> None:
    """``COPY`` ``rows`` (dicts by column, overriding the field defaults) into ``model``."""
    columns, defaults = _columns(model, overrides)
    table = model._meta.db_table
    started, done = time.perf_counter(), 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        buffer = io.StringIO()
        for row in rows:
            values = [row[c] if c in row else defaults[c] for c in columns]
            buffer.write("\t".join(_text(v) for v in values) + "\n")
            done += 1
            if done % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
                rate = done / (time.perf_counter() - started)
                say(f"  {label}: {done:,}/{total:,} ({rate:,.0f}/s)")
        copy.write(buffer.getvalue())


def generate(n: int, seed: int, district, organisations) -> float:
    from django.db import connection, transaction

    from civicgrid.cases.models import Case
    from civicgrid.mediation.models import Dispute, DisputeType, Mediator

    rng = random.Random(seed)
    types = list(DisputeType.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    mediators = {
        o.pk: list(Mediator.objects.filter(organisation=o).values_list("pk", flat=True))
        for o in organisations
    }
    sources = ["application", "screening", "hotline", "police_110", "petition",
               "court_delegated", "court_entrusted", "government"]  # fmt: skip
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
        case0 = cursor.fetchone()[0] + 1
        cursor.execute("SELECT coalesce(max(id), 0) FROM mediation_dispute")
        dispute0 = cursor.fetchone()[0] + 1
        plan = []
        for _ in range(n):
            at = now - timedelta(seconds=rng.randrange(DAYS * 86400))
            plan.append((at, rng.random(), rng.choice(organisations).pk))

        def cases():
            for i, (at, _r, _o) in enumerate(plan):
                yield {
                    "id": case0 + i,
                    "number": f"{PREFIX}{i:010d}",
                    "channel": "walk_in",
                    "title": "基准纠纷",
                    "content": "基准纠纷",
                    "region_path": district.path,
                    "owner_region_id": district.pk,
                    "owner_path": district.path,
                    "status": "closed",
                    "created_at": at,
                    "updated_at": at,
                }

        copy_rows(
            cursor,
            Case,
            cases(),
            {"id", "number", "channel", "title", "content", "region_path", "owner_region"}
            | {"owner_path"}
            | {"status", "created_at", "updated_at"},
            n,
            "cases",
        )

        def disputes():
            for i, (at, r, organisation) in enumerate(plan):
                open_ = r < OPEN_SHARE
                colour = (
                    "red"
                    if r < OPEN_SHARE * 0.05
                    else "orange"
                    if r < OPEN_SHARE * 0.2
                    else "yellow"
                )
                agreed = not open_ and r < 0.67
                written = agreed and r < 0.45
                yield {
                    "id": dispute0 + i,
                    "case_id": case0 + i,
                    "type_id": types[i % len(types)],
                    "source": sources[i % len(sources)],
                    "court": "",
                    "state": "mediating" if open_ else "closed",
                    "people_involved": 2,
                    "amount": Decimal(rng.randrange(100, 100000)),
                    "other_side_consents": True,
                    "scale": "individual",
                    "level": "general",
                    "colour": colour,
                    "organisation_id": organisation,
                    "registered_at": at,
                    "accepted_at": at,
                    "due_at": at + timedelta(days=30),
                    "warn_at": at + timedelta(days=24),
                    "outcome_at": None if open_ else at + timedelta(days=12),
                    "facts": "达成协议" if agreed else "",
                    "failure_reason": "" if agreed or open_ else "分歧大",
                    "confirm_by": at + timedelta(days=42) if written else None,
                    "confirmation_applied_at": at + timedelta(days=20)
                    if written and r < 0.2
                    else None,
                    "prevented_criminal": r > 0.99,
                    "prevented_group_petition": 0.98 < r <= 0.99,
                }

        fields = {f.attname for f in Dispute._meta.concrete_fields}
        copy_rows(cursor, Dispute, disputes(), fields, n, "disputes")
        through = Dispute.mediators.through
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {through._meta.db_table}")
        link0 = cursor.fetchone()[0] + 1

        def links():
            for i, (_at, _r, organisation) in enumerate(plan):
                yield {
                    "id": link0 + i,
                    "dispute_id": dispute0 + i,
                    "mediator_id": mediators[organisation][i % MEDIATORS],
                }

        copy_rows(cursor, through, links(), {"id", "dispute_id", "mediator_id"}, n, "mediators")
        for model in (Case, Dispute, through):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case; ANALYZE mediation_dispute;")
    return time.perf_counter() - started


# --- timing ----------------------------------------------------------------------------------


def _server_timing(header: str) -> dict[str, float]:
    """``total;dur=41.2, cpu;dur=30.5, db;dur=12.7;desc="9 queries"`` as numbers."""
    found = {}
    for part in header.split(","):
        name, _sep, rest = part.strip().partition(";dur=")
        found[name] = float(rest.split(";")[0])
    return found


def time_url(client, url: str, warmup: int, requests: int) -> dict:
    times, cpu, db = [], [], []
    response = None
    for i in range(warmup + requests):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        if i >= warmup:
            times.append(elapsed)
            server = _server_timing(response.get("Server-Timing", ""))
            cpu.append(server.get("cpu", 0.0))
            db.append(server.get("db", 0.0))
    times.sort()
    return {
        "url": url,
        "p50_ms": round(stats.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "server_cpu_p50_ms": round(stats.median(cpu), 1),
        "server_db_p50_ms": round(stats.median(db), 1),
        "bytes": len(response.content),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from civicgrid.cases.models import Case
    from civicgrid.mediation import statistics
    from civicgrid.mediation.models import Dispute, MediationMonth

    say(f"database {args.database_url}")
    call_command("migrate", verbosity=0)
    district, leader, organisations = world()
    have = Dispute.objects.filter(case__number__startswith=PREFIX).count()
    generation = None
    if args.fresh or have != args.disputes:
        if have:
            say(f"dropping {have:,} generated disputes")
            MediationMonth.objects.all().delete()
            Case.objects.filter(number__startswith=PREFIX).delete()
        say(f"generating {args.disputes:,} disputes (COPY)")
        generation = generate(args.disputes, args.seed, district, organisations)
        say(f"generated in {generation:.1f} s")
    else:
        say(f"reusing {have:,} disputes")
    started = time.perf_counter()
    rows = statistics.rebuild(
        lambda d, t, m: say(f"  rollup {d}/{t} {m:%Y-%m}") if d % 6 == 0 else None
    )
    statistics.vacuum()  # as civicgrid mediation-rollup does
    rollup = time.perf_counter() - started
    say(f"rollup: {rows:,} rows in {rollup:.1f} s")
    # Exactness at scale: the rollup's total equals counting the raw disputes.
    _, total = statistics.table(statistics.Filters())
    _, raw = statistics.count_raw(statistics.Filters())
    agree = all(getattr(total, c) == getattr(raw, c) for c in statistics.COUNTERS)
    say(f"rollup total agrees with the raw count: {agree} ({total.accepted:,} accepted)")

    client = Client()
    client.force_login(leader)
    year_ago = timezone.localdate() - timedelta(days=365)
    one = organisations[0].pk
    urls = {
        "statistics": f"/mediation/statistics/?group=organisation&start={year_ago:%Y-%m}",
        "statistics_month": f"/mediation/statistics/?group=month&organisation={one}",
        "risk_board": "/mediation/risk/",
    }
    results = {}
    for name, url in urls.items():
        result = time_url(client, url, args.warmup, args.requests)
        result["goal_p95_ms"] = GOALS[name]
        result["met"] = result["p95_ms"] <= GOALS[name]
        results[name] = result
        say(f"{name:18} p50 {result['p50_ms']:>7} ms  p95 {result['p95_ms']:>7} ms  "
            f"goal {GOALS[name]:.0f}  {'ok' if result['met'] else 'OVER'}  "
            f"(server cpu {result['server_cpu_p50_ms']} ms, "
            f"db {result['server_db_p50_ms']} ms)")  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "disputes": args.disputes,
                "generation_s": None if generation is None else round(generation, 1),
                "rollup_rows": rows,
                "rollup_s": round(rollup, 1),
                "rollup_agrees_with_raw": agree,
                "requests": args.requests,
                "pages": results,
            },
            indent=2,
        )
        + "\n"
    )
    say(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
