"""What the public-output rule costs: an Open311 page of 1000 requests, masked.

Not a test. Runs in a throw-away SQLite database (or ``--database-url``)::

    uv run python bench/publication.py

1000 website cases whose texts are real citizen messages (TipDM, ``triage/data``,
~200 characters each, all different) are read as ``GET requests.json?page_size=1000``
through Django's test client: cold (the per-process cache of names found is empty),
warm (the same page again), and with ``extensions=true``. For comparison it times
``public_text`` alone on the 1000 texts and the two ways of finding names with jieba:
its POS tagger (``jieba.posseg``, HMM on) and what ``publication.names`` does (``jieba.cut``
and the POS dictionary). Writes ``bench/results/publication-<db>-<date>.json``.
"""

import argparse
import csv
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402

MESSAGES = ROOT / "civicgrid" / "triage" / "data" / "messages.csv"
PAGE = 1000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL (default: SQLite)")
    parser.add_argument("--rounds", type=int, default=3, help="timed reads per variant")
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for the JSON")
    return parser.parse_args(argv)


def texts() -> list[tuple[str, str]]:
    with open(MESSAGES, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if len(r["detail"]) > 50]
    return [((r["title"] or r["detail"])[:60], r["detail"]) for r in rows[:PAGE]]


def seed(messages) -> None:
    from civicgrid.accounts.models import Role
    from civicgrid.cases.models import Case
    from civicgrid.cases.services import Intake, register_case
    from civicgrid.cases.tests import factories as f

    if Case.objects.count() >= PAGE:
        return
    district = f.make_district()
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]], username="bench")
    lng, lat = f.point_in(district["grid11"])
    for title, detail in messages:
        intake = Intake(
            channel="web", title=title, content=detail, lng=lng, lat=lat, reporter_name="王建国"
        )
        register_case(intake, actor=operator)


def timed(call, rounds: int) -> dict:
    samples = []
    for _i in range(rounds):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    median = sorted(samples)[len(samples) // 2]
    return {"best_s": round(min(samples), 3), "median_s": round(median, 3)}


def main(argv=None) -> dict:
    args = parse_args(argv)
    setup_django(args.database_url, "publication")
    from django.db import connection
    from django.test import Client

    from civicgrid.cases.publication import names, public_text

    messages = texts()
    seed(messages)
    started = time.perf_counter()
    names._jieba()
    load_s = time.perf_counter() - started
    client = Client()

    def page(**params):
        response = client.get("/open311/v2/requests.json", {"page_size": PAGE, **params})
        assert response.status_code == 200
        assert len(json.loads(response.content)) == PAGE

    def cold(**params):
        names.find_names.cache_clear()
        page(**params)

    import jieba.posseg

    sample = [detail for _t, detail in messages]
    result = {
        "benchmark": "publication",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "db": connection.vendor,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "load_average": os.getloadavg(),
        "page": PAGE,
        "characters": sum(len(t) for t in sample),
        "jieba_load_s": round(load_s, 3),
        "requests.json cold": timed(cold, args.rounds),
        "requests.json warm": timed(page, args.rounds),
        "requests.json+extensions cold": timed(lambda: cold(extensions="true"), args.rounds),
        "public_text on 1000 texts, cold": timed(
            lambda: (names.find_names.cache_clear(), [public_text(t) for t in sample]), 1
        ),
        "names: jieba.cut + POS dictionary": timed(
            lambda: (names.find_names.cache_clear(), [names.find_names(t) for t in sample]), 1
        ),
        "names: jieba.posseg (HMM)": timed(
            lambda: [[w for w in jieba.posseg.cut(t) if w.flag == "nr"] for t in sample], 1
        ),
    }
    for key, value in result.items():
        print(f"{key:40} {value}")  # noqa: T201
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"publication-{connection.vendor}-{datetime.now(UTC):%Y%m%d}.json"
    (out / name).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
