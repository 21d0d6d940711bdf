"""Hot issues (热点问题): many people, the same problem, the same place, lately.

Recent cases are grouped in blocks — same first-level category, same street (or, with
no grid, the same centre) — and clustered inside each block by average-linkage
agglomerative clustering on the cosine likeness of their TF-IDF character 2–3-grams
(title twice, then the opening of the content). Two cases more than ``RADIUS_M`` apart
never share a cluster. Unlike duplicate search, this must group *independently*
written messages ("丽发新城小区旁边建搅拌站" / "A2区丽发新城附近修建搅拌厂噪音污染"),
which share the place and a few words rather than sentences; hence TF-IDF, whose rare
n-grams (the names of places) weigh most.

A cluster is a hot issue when at least ``MIN_PEOPLE`` people are behind it: distinct
reporters (by phone hash) plus supporters (+1). Its heat weighs each person by how
recent their report is (half-life ``HALF_LIFE_DAYS``), supporters at ``SUPPORTER_WEIGHT``.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from civicgrid.cases.greetings import without_greeting

from .text import runs

CLUSTER_THRESHOLD = 0.08
RADIUS_M = 2000
MIN_PEOPLE = 3
HALF_LIFE_DAYS = 7
SUPPORTER_WEIGHT = 0.25
WINDOW_DAYS = 90
# A block larger than this is cut to its newest cases (the matrix is block × block).
MAX_BLOCK = 3000
CONTENT_CHARS = 200
_APART = 1e6  # distance of two cases that may never share a cluster
_EARTH_M = 6_371_000


@dataclass
class Report:
    """One report to cluster: a case, or a message of the shipped sample."""

    key: str
    title: str
    content: str
    at: datetime
    person: str = ""  # phone hash or user id; empty: counts as a person of its own
    block: tuple = ()
    lng: float | None = None
    lat: float | None = None
    supporter_times: list[datetime] = field(default_factory=list)


def ngrams(text: str) -> list[str]:
    """Character 2- and 3-grams of ``text`` (within runs, see ``text.runs``)."""
    grams: list[str] = []
    for run in runs(text):
        for n in (2, 3):
            grams.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return grams


def document(report: Report) -> str:
    """What is compared: the title twice (it names the problem), then the content's opening."""
    opening = without_greeting(report.content)[:CONTENT_CHARS]
    return f"{report.title}。{report.title}。{opening}"


def _far_apart(reports: Sequence[Report]) -> np.ndarray:
    """Pairs of placed reports farther apart than ``RADIUS_M`` (a boolean matrix)."""
    n = len(reports)
    placed = [i for i, r in enumerate(reports) if r.lng is not None and r.lat is not None]
    far = np.zeros((n, n), dtype=bool)
    if len(placed) < 2:
        return far
    lng = np.radians([reports[i].lng for i in placed])
    lat = np.radians([reports[i].lat for i in placed])
    dlat = lat[:, None] - lat[None, :]
    dlng = lng[:, None] - lng[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlng / 2) ** 2
    metres = 2 * _EARTH_M * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    index = np.array(placed)
    far[np.ix_(index, index)] = metres > RADIUS_M
    return far


def _cluster_block(vectors, reports: Sequence[Report], threshold: float) -> list[list[int]]:
    n = len(reports)
    if n == 1:
        return [[0]]
    likeness = (vectors @ vectors.T).toarray()
    distance = np.clip(1.0 - likeness, 0.0, None)
    distance[_far_apart(reports)] = _APART
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=1.0 - threshold,
    ).fit_predict(distance)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[int(label)].append(i)
    return list(groups.values())


def cluster(reports: Sequence[Report], threshold: float = CLUSTER_THRESHOLD) -> list[list[int]]:
    """Groups of indexes into ``reports`` about the same problem, biggest first.

    Reports are only compared within their ``block``; every report lands in exactly one
    group (most groups have one report).
    """
    if not reports:
        return []
    vectorizer = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform([document(r) for r in reports])
    except ValueError:  # no n-gram seen twice: nothing can be alike
        return [[i] for i in range(len(reports))]
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, report in enumerate(reports):
        blocks[report.block].append(i)
    groups: list[list[int]] = []
    for members in blocks.values():
        members = sorted(members, key=lambda i: reports[i].at)[-MAX_BLOCK:]
        local = _cluster_block(matrix[members], [reports[i] for i in members], threshold)
        groups += [[members[j] for j in group] for group in local]
    groups.sort(key=lambda g: (-len(g), min(g)))
    return groups


def _decay(at: datetime, now: datetime) -> float:
    age = max(0.0, (now - at).total_seconds()) / 86400
    return 0.5 ** (age / HALF_LIFE_DAYS)


def people_times(reports: Sequence[Report]) -> list[datetime]:
    """One time per person: the latest report of each reporter (anonymous ones each count)."""
    latest: dict[str, datetime] = {}
    for n, report in enumerate(reports):
        person = report.person or f"#{n}"
        if person not in latest or report.at > latest[person]:
            latest[person] = report.at
    return list(latest.values())


def heat(reports: Sequence[Report], now: datetime) -> float:
    """Σ over reporters of 0.5^(age/half-life) + ``SUPPORTER_WEIGHT`` × the same over supporters."""
    reporters = sum(_decay(at, now) for at in people_times(reports))
    supporters = sum(_decay(at, now) for r in reports for at in r.supporter_times)
    return reporters + SUPPORTER_WEIGHT * supporters


@dataclass
class Issue:
    """A cluster with its figures, before it is stored."""

    members: list[Report]
    representative: Report
    reporters: int
    supporters: int
    heat: float
    this_week: int
    last_week: int

    @property
    def people(self) -> int:
        return self.reporters + self.supporters


def central(reports: Sequence[Report]) -> Report:
    """The report most like the others (by shared n-grams): the best title for the issue."""
    if len(reports) <= 2:
        return min(reports, key=lambda r: r.at)
    vectors = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True).fit_transform(
        [document(r) for r in reports]
    )
    likeness = np.asarray((vectors @ vectors.T).sum(axis=1)).ravel()
    return reports[int(np.argmax(likeness))]


def issues(
    reports: Sequence[Report], now: datetime, *, min_people: int = MIN_PEOPLE
) -> list[Issue]:
    """The hot issues among ``reports``, hottest first."""
    found = []
    week = timedelta(days=7)
    for group in cluster(reports):
        members = [reports[i] for i in group]
        reporters = len(people_times(members))
        supporters = sum(len(r.supporter_times) for r in members)
        if reporters + supporters < min_people:
            continue
        found.append(
            Issue(
                members=sorted(members, key=lambda r: r.at),
                representative=central(members),
                reporters=reporters,
                supporters=supporters,
                heat=heat(members, now),
                this_week=sum(now - week < r.at <= now for r in members),
                last_week=sum(now - 2 * week < r.at <= now - week for r in members),
            )
        )
    found.sort(key=lambda issue: (-issue.heat, issue.members[0].key))
    return found
