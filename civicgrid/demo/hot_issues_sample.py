"""The shipped sample of TipDM 2020 "hot issue" messages (see data/README.md).

``build`` made ``data/hot_issues_sample.csv`` once from the published ``hot_issues.csv``::

    uv run python -m civicgrid.demo.hot_issues_sample /path/to/teddy2020/hot_issues.csv

It keeps every message that names one of ``TOPICS`` (so the known repeated topics are
whole) and a fixed random draw of the others, with the detail cut to ``DETAIL_CHARS``.
Nothing reads the published file at run time.
"""

import csv
import random
import re
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from civicgrid.duplicates.hotissues import Report

SAMPLE_CSV = Path(__file__).resolve().parent / "data" / "hot_issues_sample.csv"
# Places and matters many messages repeat: read in the published file, kept whole.
TOPICS = ("丽发新城", "伊景园", "滨河苑", "魅力之城", "58车贷", "经济学院", "茶场村", "五矿万境")
OTHERS = 1100
DETAIL_CHARS = 400
SEED = 2020
COLUMNS = ("id", "user", "title", "time", "detail", "dislikes", "likes")
# The messages were written to a city government in China.
TIMEZONE = ZoneInfo("Asia/Shanghai")
_TIME = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?")


def parse_time(text: str) -> datetime:
    """The file mixes ``2019/2/28 11:25:05`` and ``2019-11-13 09:05:00``."""
    match = _TIME.search(text)
    if match is None:
        raise ValueError(f"not a time: {text!r}")
    y, mo, d, h, mi, s = (int(g or 0) for g in match.groups())
    return datetime(y, mo, d, h, mi, s, tzinfo=TIMEZONE)


def build(source: Path, out: Path = SAMPLE_CSV) -> int:
    """Write the sample; returns how many messages it holds."""
    with source.open(encoding="utf-8-sig", newline="") as f:
        rows = [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]
    on_topic = [r for r in rows if any(t in r["留言主题"] + r["留言详情"] for t in TOPICS)]
    rest = [r for r in rows if r not in on_topic]
    chosen = on_topic + random.Random(SEED).sample(rest, min(OTHERS, len(rest)))
    chosen.sort(key=lambda r: int(r["留言编号"]))
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for r in chosen:
            writer.writerow(
                [
                    r["留言编号"],
                    r["留言用户"],
                    r["留言主题"],
                    parse_time(r["留言时间"]).isoformat(),
                    r["留言详情"][:DETAIL_CHARS],
                    r["反对数"] or 0,
                    r["点赞数"] or 0,
                ]
            )
    return len(chosen)


def load() -> list[dict]:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def reports(rows: list[dict] | None = None) -> list[Report]:
    """The sample as reports to cluster: one person per user, likes as supporters."""
    rows = load() if rows is None else rows
    found = []
    for row in rows:
        at = datetime.fromisoformat(row["time"])
        found.append(
            Report(
                key=row["id"],
                title=row["title"],
                content=row["detail"],
                at=at,
                person=row["user"],
                supporter_times=[at] * int(row["likes"] or 0),
            )
        )
    return found


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))  # noqa: T201
