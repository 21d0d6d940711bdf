"""Gazetteer: import rate and search latency with 100,000 entries.

Not a test. Builds a throw-away database (SQLite in a temporary folder, or the database
of ``--database-url``), loads the demo district's geography (the import locates each
point in its community) and its derived gazetteer, then imports a generated CSV of
100,000 places and measures ``regions.gazetteer.search`` as the operator types::

    uv run python bench/gazetteer.py
    uv run python bench/gazetteer.py --database-url postgres://postgres@127.0.0.1:5432/gaz_bench

The entries: the 341 streets, towns, communities and villages of 东营区 (the demo's), and
generated roads (road words × suffixes), landmarks (a community's name and a kind of
building) and house numbers (a road and a number) up to 100,000, each at a random point
near a random grid's centre, without a region code (so the import finds it from the point).

Import: rows per second of ``import_places`` for the first import and for importing the
same file again (nothing changes). Search: p50 / p95 per query, end to end (the indexed
stages, the "contains" stage when they found too few, the region names of the hits), for
Chinese prefixes, whole names, pinyin initials, full pinyin, words inside names, queries
that match nothing, and the same through ``GET /api/regions/places``. Goal: p95 ≤ 50 ms.
Writes ``bench/results/gazetteer-<database>-<date>.json``.
"""

import argparse
import csv
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402

TARGET = 100_000
GOAL_P95_MS = 50.0
SEED = 2026
ROAD_WORDS = [
    "黄河",
    "济南",
    "淄博",
    "胶州",
    "府前",
    "西四",
    "西三",
    "西二",
    "东三",
    "东四",
    "南一",
    "南二",
    "北一",
    "北二",
    "庐山",
    "泰山",
    "沂河",
    "德州",
    "烟台",
    "青岛",
    "潍坊",
    "聊城",
    "菏泽",
    "运河",
    "东营",
    "胜利",
    "文汇",
    "辛店",
    "牛庄",
    "六户",
    "史口",
    "龙居",
    "广利",
    "商河",
    "莒州",
    "汾河",
    "新华",
    "育才",
    "红光",
    "长江",
    "珠江",
    "太行",
    "燕山",
    "嵩山",
    "峨眉",
    "昆仑",
    "祁连",
    "天山",
    "华山",
    "衡山",
    "恒山",
    "锦华",
    "宏远",
    "金湖",
    "银河",
    "明月",
    "晨阳",
    "友谊",
    "团结",
    "建设",
    "和平",
    "民主",
    "解放",
    "幸福",
]
ROAD_SUFFIXES = ("路", "大街", "街", "巷", "东路", "西路", "南路", "北路")
BUILDINGS = ("党群服务中心", "卫生室", "幼儿园", "小学", "广场", "公园", "超市", "菜市场")


def load_district() -> list[tuple[float, float]]:
    """The demo geography and its gazetteer; the grids' centres, for the generated points."""
    from civicgrid.regions.gazetteer import load_region_places
    from civicgrid.regions.models import Level, Place, Region
    from civicgrid.regions.services import load_demo_geography

    Place.objects.all().delete()
    if Region.objects.filter(level=Level.GRID, code__startswith="370502").count() < 948:
        load_demo_geography(progress=False)
    load_region_places(Region.objects.get(code="370502000000"))
    grids = Region.objects.filter(level=Level.GRID, code__startswith="370502")
    return list(grids.values_list("centroid_lng", "centroid_lat"))


def generate(count: int, centres, communities: list[str], rng: random.Random) -> list[list]:
    roads = [w + s for w in ROAD_WORDS for s in ROAD_SUFFIXES]
    rows = [["name", "kind", "lon", "lat", "region", "aliases"]]

    def point():
        lng, lat = rng.choice(centres)
        return round(lng + rng.uniform(-4e-4, 4e-4), 6), round(lat + rng.uniform(-4e-4, 4e-4), 6)

    for road in roads:
        rows.append([road, "道路", *point(), "", ""])
    for community in communities:
        for building in BUILDINGS:
            alias = building if building in ("菜市场", "卫生室") else ""
            rows.append([community + building, "地标", *point(), "", alias])
    number = 0
    while len(rows) <= count:
        number += 1
        for road in roads:
            rows.append([f"{road}{number}号", "门牌地址", *point(), "", ""])
            if len(rows) > count:
                break
    return rows


def to_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def timed_import(data: bytes, rows: int) -> dict:
    from civicgrid.regions.gazetteer_import import import_places

    started = time.perf_counter()
    result = import_places(data, source="bench")
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def query_sets(rows: list[list], rng: random.Random) -> dict[str, list[str]]:
    from civicgrid.regions.gazetteer import search_keys

    names = [r[0] for r in rows[1:]]
    sample = rng.sample(names, 200)
    keys = [search_keys(n, []) for n in sample]
    return {
        "chinese 2 chars": [n[:2] for n in sample],
        "whole name": sample,
        "initials 2-4": [k[0][: rng.randint(2, 4)] for k in keys],
        "full pinyin 6": [k[1][:6] for k in keys],
        "inside a name": [rng.choice(BUILDINGS)[:2] for _ in range(200)],
        "no match": [f"无此地{i}" for i in range(200)],
    }


def timing(run, queries: list[str]) -> dict:
    for query in queries[:10]:
        run(query)  # warm the caches
    times, found = [], 0
    for query in queries:
        started = time.perf_counter()
        found += bool(run(query))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "queries": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "with_hits": found,
    }


def api_runner():
    from django.test import Client

    from civicgrid.accounts.models import User

    user, _created = User.objects.get_or_create(username="bench-operator")
    client = Client()
    client.force_login(user)

    def run(query):
        response = client.get("/api/regions/places", {"q": query, "limit": 10})
        assert response.status_code == 200, response.content
        return response.json()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--entries", type=int, default=TARGET)
    args = parser.parse_args()
    setup_django(args.database_url, "gazetteer")
    from django.db import connection

    from civicgrid.regions.gazetteer import search
    from civicgrid.regions.models import Level, Place, Region

    rng = random.Random(SEED)
    started = time.perf_counter()
    centres = load_district()
    setup_seconds = time.perf_counter() - started
    communities = list(
        Region.objects.filter(level=Level.COMMUNITY, code__startswith="370502").values_list(
            "name", flat=True
        )
    )
    rows = generate(args.entries - Place.objects.count(), centres, communities, rng)
    data = to_csv(rows)
    first = timed_import(data, len(rows) - 1)
    again = timed_import(data, len(rows) - 1)
    total = Place.objects.count()
    sets = query_sets(rows, rng)
    searches = {name: timing(lambda q: search(q, limit=10), qs) for name, qs in sets.items()}
    api = timing(api_runner(), sets["initials 2-4"] + sets["chinese 2 chars"])
    result = {
        "benchmark": "gazetteer",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "entries": total,
        "geography_setup_seconds": round(setup_seconds, 1),
        "import_first": first,
        "import_again": again,
        "search": searches,
        "api_initials_and_chinese": api,
        "goal_p95_ms": GOAL_P95_MS,
        # The machine is shared: the figures are only as quiet as it was.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(f"{connection.vendor}: {total:,} places, load average {os.getloadavg()[1]:.1f}")
    print(
        f"import: {first['rows_per_second']:,} rows/s first ({first['seconds']} s), "
        f"{again['rows_per_second']:,} rows/s again, nothing changed ({again['seconds']} s)"
    )
    print(f"{'queries':<18}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'hits':>7}")
    for name, s in [*searches.items(), ("API", api)]:
        print(
            f"{name:<18}{s['queries']:>6}{s['p50_ms']:>9}{s['p95_ms']:>9}{s['max_ms']:>9}"
            f"{s['with_hits']:>7}"
        )
    out = HERE / "results" / f"gazetteer-{connection.vendor}-{datetime.now(UTC):%Y%m%d}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
