"""The labelled citizen messages the classifier learns from, and their fixed split.

``civicgrid/triage/data/messages.csv`` holds one row per distinct message (``id``,
``title``, ``detail``, ``label``, ``split``). It is built once from the TipDM 2020 files
by :func:`build` (``civicgrid prepare-triage-data DIR``); nothing reads the shared data
at run time. The split is by message: identical titles or texts are merged before it is
drawn, so no message is on both sides.
"""

import csv
import hashlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
MESSAGES_CSV = DATA_DIR / "messages.csv"
TEST_SHARE = 0.2
SEED = 2020
# The longest title searched for at the start of a title+detail text.
_MAX_TITLE = 80


@dataclass(frozen=True)
class Message:
    """One labelled message; ``detail`` is empty when only the title is known."""

    id: int
    title: str
    detail: str
    label: str
    split: str

    @property
    def text(self) -> str:
        return join_text(self.title, self.detail)


def join_text(title: str, detail: str = "") -> str:
    """The single string the models read: title, a separator, the detail."""
    return f"{title}。{detail}" if detail else title


def load(split: str | None = None) -> list[Message]:
    """The shipped messages, optionally only those of ``split`` ("train" or "test")."""
    with MESSAGES_CSV.open(encoding="utf-8", newline="") as f:
        rows = [
            Message(int(r["id"]), r["title"], r["detail"], r["label"], r["split"])
            for r in csv.DictReader(f)
        ]
    return [m for m in rows if split is None or m.split == split]


def case_split(number: str) -> str:
    """A closed case's fixed side of the split: by a hash of its number, one in five
    held out, so retraining never tests on what it learned from."""
    digest = hashlib.sha256(number.encode()).digest()
    return "test" if digest[0] % 5 == 0 else "train"


def from_cases(min_per_label: int = 10) -> tuple[list[Message], dict[str, int]]:
    """The city's own closed cases as labelled messages (label: the first-level name of
    the category the case was closed under), and the labels left out for having fewer
    than ``min_per_label`` cases."""
    from civicgrid.cases.models import Case, Status
    from civicgrid.routing import catalogue

    categories = {c.pk: c for c in catalogue.categories(active_only=False).values()}
    rows = (
        Case.objects.filter(status=Status.CLOSED, category__isnull=False)
        .exclude(outcome__startswith="referred")
        .values_list("pk", "number", "title", "content", "category_id")
        .order_by("pk")
    )
    messages = []
    for pk, number, title, content, category_id in rows.iterator(chunk_size=2000):
        category = categories.get(category_id)
        if category is None:
            continue
        label = category.lineage()[-1].name
        messages.append(Message(-pk, title, content, label, case_split(number)))
    counts = Counter(m.label for m in messages if m.split == "train")
    few = {label: n for label, n in counts.items() if n < min_per_label}
    return [m for m in messages if m.label not in few and m.label in counts], few


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        # Some exports wrap a text in stray quotes; they would hide its title.
        return [
            {k.strip(): (v or "").strip().strip('"').strip() for k, v in r.items()}
            for r in csv.DictReader(f)
        ]


def _split_title(text: str, titles: set[str]) -> tuple[str, str]:
    for n in range(min(len(text), _MAX_TITLE), 3, -1):
        if text[:n] in titles:
            return text[:n], text[n:].strip()
    return "", text


def _collect(source: Path) -> dict[str, dict[str, str]]:
    """Messages keyed by their title (or whole text when the title is unknown)."""
    full = _read(source / "messages_full.csv")
    titles_only = _read(source / "messages_titles.csv")
    joined = _read(source / "messages_title_detail.csv")
    known_titles = {r["留言主题"] for r in full} | {r["留言主题"] for r in titles_only}
    merged: dict[str, dict[str, str]] = {}
    labels: dict[str, set[str]] = defaultdict(set)

    def add(title: str, detail: str, label: str) -> None:
        key = title or detail
        labels[key].add(label)
        if key not in merged or (detail and not merged[key]["detail"]):
            merged[key] = {"title": title, "detail": detail, "label": label}

    for r in full:
        add(r["留言主题"], r["留言详情"], r["一级标签"])
    for r in joined:
        add(*_split_title(r["主题加详情"], known_titles), r["一级标签"])
    for r in titles_only:
        add(r["留言主题"], "", r["一级标签"])
    # A message filed under two labels teaches nothing; drop it.
    return {k: v for k, v in merged.items() if len(labels[k]) == 1 and k}


def build(source: Path, out: Path = MESSAGES_CSV) -> dict[str, int]:
    """Write the deduplicated, split message table; return counts per split."""
    merged = _collect(source)
    by_label: dict[str, list[str]] = defaultdict(list)
    for key in sorted(merged):
        by_label[merged[key]["label"]].append(key)
    rng = random.Random(SEED)
    test: set[str] = set()
    for keys in by_label.values():
        rng.shuffle(keys)
        test.update(keys[: round(len(keys) * TEST_SHARE)])
    counts = {"train": 0, "test": 0}
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "title", "detail", "label", "split"])
        for i, key in enumerate(sorted(merged), start=1):
            m = merged[key]
            split = "test" if key in test else "train"
            counts[split] += 1
            writer.writerow([i, m["title"], m["detail"], m["label"], split])
    return counts
