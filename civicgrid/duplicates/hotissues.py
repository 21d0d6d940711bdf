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

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from civicgrid.cases.greetings import without_greeting

from . import fading
from .fading import HALF_LIFE_DAYS as HALF_LIFE_DAYS
from .text import runs

CLUSTER_THRESHOLD = 0.08
RADIUS_M = 2000
MIN_PEOPLE = 3
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


# --- document frequencies shared by every block -------------------------------------------
# A report's TF-IDF vector is (1 + ln tf) × idf per n-gram, l2-normalised (what
# ``TfidfVectorizer(sublinear_tf=True)`` makes), with the IDF of the whole window: the
# same text has the same vector in every block and every run. Fitted per block, a block
# taken over by one topic would weigh that topic's own words (the place, "搅拌站") as
# common, and split it into several issues.


@dataclass
class Idf:
    """Inverse document frequencies: of ``documents`` reports, ``counts[gram]`` hold
    ``gram`` (``smooth_idf``: ln((1 + N) / (1 + df)) + 1). ``counts`` may hold only the
    n-grams asked about (``services`` reads them from the shared table)."""

    documents: int
    counts: dict[str, int]

    def __call__(self, gram: str) -> float:
        return math.log((1 + self.documents) / (1 + self.counts.get(gram, 0))) + 1


def grams_of(report: Report) -> set[str]:
    """The distinct n-grams of ``report``'s document (what a document frequency counts)."""
    return set(ngrams(document(report)))


def corpus_idf(reports: Sequence[Report]) -> Idf:
    """The IDF of ``reports`` taken as the whole corpus."""
    counts: Counter[str] = Counter()
    for report in reports:
        counts.update(grams_of(report))
    return Idf(len(reports), dict(counts))


@dataclass
class Vectors:
    """The reports' TF-IDF matrix (rows l2-normalised) over their own n-grams."""

    matrix: sparse.csr_matrix
    names: list[str]
    idf: np.ndarray

    def rows(self, rows: list[int]) -> "Vectors":
        """These rows only (the same columns)."""
        return Vectors(self.matrix[rows], self.names, self.idf)


def vectorise(reports: Sequence[Report], idf: Idf) -> Vectors:
    """``reports`` as rows of TF-IDF weights under the shared ``idf``."""
    columns: dict[str, int] = {}
    indptr, indices, tf = [0], [], []
    for report in reports:
        for gram, n in gram_counts(report).items():
            indices.append(columns.setdefault(gram, len(columns)))
            tf.append(n)
        indptr.append(len(indices))
    names = list(columns)
    known = idf.counts
    frequency = np.fromiter((known.get(g, 0) for g in names), dtype=np.float64, count=len(names))
    weights = np.log((1 + idf.documents) / (1 + frequency)) + 1
    index = np.asarray(indices, dtype=np.int64)
    data = (1 + np.log(np.asarray(tf, dtype=np.float64))) * weights[index]
    matrix = sparse.csr_matrix(
        (data, index, np.asarray(indptr, dtype=np.int64)), shape=(len(reports), len(names))
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1 / norms) @ matrix
    return Vectors(matrix.tocsr().astype(np.float32), names, weights)


def linked(matrix, reports: Sequence[Report], threshold: float = CLUSTER_THRESHOLD):
    """A component label per report (``matrix``: their rows of a ``vectorise``): two
    reports at least ``threshold`` alike and not too far apart are linked, and so is what
    they link to. Average linkage joins two groups only when some pair across them is that
    alike (their mean likeness is above the threshold), so every cluster lies inside one
    component, and clustering a component alone finds the same clusters there as
    clustering all of ``reports``."""
    if not reports:
        return np.zeros(0, dtype=np.int32)
    likeness = (matrix @ matrix.T).toarray()
    adjacent = (likeness >= threshold - 1e-6) & ~_far_apart(reports)
    return connected_components(sparse.csr_matrix(adjacent), directed=False)[1]


def cluster(
    reports: Sequence[Report], threshold: float = CLUSTER_THRESHOLD, idf: Idf | None = None
) -> list[list[int]]:
    """Groups of indexes into ``reports`` about the same problem, biggest first.

    Reports are only compared within their ``block``; every report lands in exactly one
    group (most groups have one report). ``idf``: the window's (``corpus_idf(reports)``
    when not given).
    """
    return _clustered(reports, threshold, idf)[0]


def _clustered(
    reports: Sequence[Report], threshold: float = CLUSTER_THRESHOLD, idf=None, vectors=None
):
    """``cluster``, with the reports' ``Vectors`` (None when there is no report);
    ``vectors``: theirs already made under ``idf``."""
    if not reports:
        return [], None
    if vectors is None:
        vectors = vectorise(reports, idf if idf is not None else corpus_idf(reports))
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, report in enumerate(reports):
        blocks[report.block].append(i)
    groups: list[list[int]] = []
    for members in blocks.values():
        members = sorted(members, key=lambda i: reports[i].at)[-MAX_BLOCK:]
        local = _cluster_block(vectors.matrix[members], [reports[i] for i in members], threshold)
        groups += [[members[j] for j in group] for group in local]
    groups.sort(key=lambda g: (-len(g), min(g)))
    return groups, vectors


# --- attaching a later report to an issue (between full runs) -----------------------------
# An issue keeps the mean of its members' vectors. Average linkage joins a report to a
# group when its mean likeness to the members is above the threshold, and that mean
# likeness is exactly the report's vector · the members' mean vector: so a new report is
# attached when ``dot(vector(report, idf), issue.terms)`` ≥ ``CLUSTER_THRESHOLD`` and it
# lies within ``RADIUS_M`` of every member (the clustering's own rule), without
# clustering again. Both vectors use the shared IDF, as the clustering does.
TERMS = 120  # n-grams kept of an issue's mean vector (the lightest dropped: never joins more)


def centroid_terms(vectors: Vectors | None, rows: list[int]) -> dict:
    """The mean of ``vectors``' ``rows`` as {gram: [weight, idf]}, its ``TERMS`` heaviest."""
    if vectors is None or not rows:
        return {}
    mean = np.asarray(vectors.matrix[rows].mean(axis=0)).ravel()
    top = np.flatnonzero(mean)
    if len(top) > TERMS:
        top = top[np.argsort(-mean[top])[:TERMS]]
    return {vectors.names[i]: [float(mean[i]), float(vectors.idf[i])] for i in top}


def gram_counts(report: Report) -> dict[str, int]:
    """How often each n-gram of ``report``'s document occurs."""
    return Counter(ngrams(document(report)))


def vector(report: Report, idf) -> dict[str, float]:
    """``report``'s TF-IDF vector (sublinear tf, l2) under ``idf`` (gram → weight)."""
    weights = {g: (1 + math.log(n)) * idf(g) for g, n in gram_counts(report).items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {g: w / norm for g, w in weights.items()} if norm else {}


def dot(x: dict[str, float], terms: dict) -> float:
    """``x`` · an issue's mean vector."""
    total = 0.0
    for gram, weight in x.items():
        term = terms.get(gram)
        if term is not None:
            total += weight * term[0]
    return total


def joined_terms(terms: dict, size: int, x: dict[str, float], idf: Idf) -> dict:
    """The issue's mean vector once a report of vector ``x`` joined its ``size`` members."""
    merged = {g: [w * size / (size + 1), i] for g, (w, i) in terms.items()}
    for g, w in x.items():
        weight, i = merged.get(g, [0.0, idf(g)])
        merged[g] = [weight + w / (size + 1), i]
    if len(merged) > TERMS:
        merged = dict(sorted(merged.items(), key=lambda kv: -kv[1][0])[:TERMS])
    return merged


def metres_apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance of two (lng, lat) points."""
    lng1, lat1, lng2, lat2 = map(np.radians, (*a, *b))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    )
    return float(2 * _EARTH_M * np.arcsin(np.sqrt(min(max(h, 0.0), 1.0))))


_decay = fading.decay


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

    # The mean of its members' TF-IDF vectors (top ``TERMS`` n-grams): {gram: [weight, idf]},
    # and the window's size then, so a later case can be compared without clustering again.
    terms: dict = field(default_factory=dict)
    documents: int = 0

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
    reports: Sequence[Report],
    now: datetime,
    *,
    min_people: int = MIN_PEOPLE,
    idf: Idf | None = None,
    vectors: Vectors | None = None,
) -> list[Issue]:
    """The hot issues among ``reports``, hottest first; ``idf`` as for ``cluster``;
    ``vectors``: the reports' rows, already made under ``idf``."""
    found = []
    week = timedelta(days=7)
    idf = idf if idf is not None else corpus_idf(reports)
    groups, vectors = _clustered(reports, idf=idf, vectors=vectors)
    for group in groups:
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
                terms=centroid_terms(vectors, group),
                documents=idf.documents,
            )
        )
    found.sort(key=lambda issue: (-issue.heat, issue.members[0].key))
    return found
