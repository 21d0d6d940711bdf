"""The demo knowledge base: built once from real government replies, loaded by the demo.

``build`` (``civicgrid build-knowledge-seed replies.csv``, a development step) reads the
TipDM 2020 replies (2,816 citizen letters with the government's published reply),
groups the letters by topic and writes one entry per group to ``data/knowledge_seed.json``:

- letters are compared by the TF-IDF of their jieba words (title and the start of the
  letter, anonymised place names removed) and, a little, by the words of their replies
  (only replies that answer something: "passed on to the department" says nothing);
- groups are formed by average-linkage clustering, so a group is letters that are on
  average alike, not a chain of pairwise look-alikes;
- each group's entry takes the question and the answer of its most central letter that
  got a real answer; the other letters' titles become its other phrasings. The answer
  loses its greeting, "reply as follows", thanks, signature and date;
- a letter alone in its group is kept only when it asks something (咨询, 如何, 吗 …) and
  got a real answer: that answer serves the next caller with the same question;
- the category is the first-level category the triage model predicts; the department
  the demo bureau the reply names (住房和城乡建设局 → ZJJ …), when it names one.

``load_demo`` puts the seed into the database, idempotently, with a "knowledge editors"
group and a demo editor.
"""

import csv
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.knowledge import text

DATA = Path(__file__).parent / "data"
SEED_FILE = DATA / "knowledge_seed.json"
SOURCE = "TipDM 2020 C"
EDITORS_GROUP = "knowledge editors"
EDITOR_PERMISSIONS = ("review_proposal", "add_entry", "change_entry", "view_entry")

# Clustering: similarity = 0.8 × letters + 0.2 × replies; a group's average ≥ 0.24.
LETTER_WEIGHT = 0.8
GROUP_SIMILARITY = 0.24
LETTER_CHARS = 200
MAX_ANSWER = 1200
_INQUIRY = re.compile(
    r"咨询|请问|询问|如何|怎么|怎样|哪些|哪里|什么|是否|能否|可否|能不能|可不可以|多少|何时|吗|？|\?"
)
_ANONYMISED = re.compile(r"西地省|[A-Z]\d{0,2}[市区县镇]|UU\d+")

# Words in a reply that name a demo department (codes of ``civicgrid.demo.load``).
DEPARTMENT_WORDS = {
    "ZJJ": ("住房和城乡建设", "住建局", "住建部门", "房产局", "房地产管理", "住房保障", "公积金"),
    "ZFJ": ("城管", "城市管理", "综合行政执法", "综合执法"),
    "HBJ": ("生态环境", "环保局", "环境保护局", "环保部门"),
    "JTJ": ("交通运输", "交通局", "公路局", "运管", "公交公司"),
    "JYJ": ("教育局", "教育体育局", "教体局", "教育部门", "教育行政"),
    "RSJ": ("人力资源和社会保障", "人社局", "人社部门", "社保", "医疗保障", "医保"),
    "SWJ": ("商务局", "商务部门"),
    "WJJ": ("卫生健康", "卫健", "卫生计生", "卫计", "卫生局", "疾控"),
    "SCJ": ("市场监督管理", "市场监管", "工商局", "食品药品监督", "质监"),
    "ZRJ": ("自然资源", "国土资源", "国土局", "规划局", "不动产登记"),
    "YJJ": ("应急管理", "安监", "安全生产监督"),
    "MZJ": ("民政局", "民政部门"),
    "SLJ": ("水务局", "水利局"),
    "NYJ": ("农业农村", "农业局", "畜牧", "农机"),
    "SFJ": ("司法局", "司法行政"),
    "GD": ("供电公司", "电力公司", "供电局"),
    "GS": ("供水公司", "自来水公司", "水业集团", "水务集团"),
    "RQ": ("燃气公司",),
    "RL": ("热力公司", "供热公司"),
}


# --- building the seed (development only) ---------------------------------------------


def read_letters(path: Path) -> list[dict]:
    """The rows of ``replies.csv`` with cleaned fields."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    letters = []
    for row in rows:
        detail = text.normalise(row["留言详情"].replace("_x000D_", " "))
        letters.append(
            {
                "id": int(row["留言编号"]),
                "title": text.clean_title(row["留言主题"]),
                "detail": detail,
                "reply_raw": row["答复意见"],
                "reply": text.clean_reply(row["答复意见"]),
                "replied": _day(row["答复时间"]),
            }
        )
    return letters


def _day(value: str) -> str:
    try:
        return datetime.strptime(value.strip(), "%Y/%m/%d %H:%M:%S").date().isoformat()  # noqa: DTZ007 - a date only
    except ValueError:
        return ""


def similarity(letters: list[dict]):
    """Pairwise similarity of the letters (dense, n × n), replies counted a little."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    def cosine(texts: list[str], max_df: float):
        vectorizer = TfidfVectorizer(
            tokenizer=_words, token_pattern=None, sublinear_tf=True, min_df=2, max_df=max_df
        )
        matrix = vectorizer.fit_transform(texts)
        return (matrix @ matrix.T).toarray()

    def letter(m):
        return _ANONYMISED.sub(" ", f"{m['title']}。{m['detail'][:LETTER_CHARS]}")

    asked = cosine([letter(m) for m in letters], 0.3)
    answered = cosine([_ANONYMISED.sub(" ", m["reply"]) for m in letters], 0.2)
    real = np.array([text.is_substantive(m["reply"]) for m in letters])
    answered *= np.outer(real, real)  # "passed on" replies are alike but say nothing
    combined = LETTER_WEIGHT * asked + (1 - LETTER_WEIGHT) * answered
    np.fill_diagonal(combined, 1.0)
    return combined


def _words(value: str) -> list[str]:
    return [w for w in text._jieba().lcut(value) if w.strip() and (len(w) > 1 or w.isalnum())]


def group(letters: list[dict], similar) -> list[list[int]]:
    """Indexes of the letters of each topic group, largest groups first."""
    from sklearn.cluster import AgglomerativeClustering

    clustering = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=1 - GROUP_SIMILARITY,
    ).fit(1 - similar)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(clustering.labels_):
        groups.setdefault(int(label), []).append(index)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def guess_department(reply: str) -> str:
    """The demo department code the reply names first, or ""."""
    best, position = "", len(reply) + 1
    for code, words in DEPARTMENT_WORDS.items():
        for word in words:
            at = reply.find(word)
            if 0 <= at < position:
                best, position = code, at
    return best


def shorten(answer: str, limit: int = MAX_ANSWER) -> str:
    """At most ``limit`` characters, cut after a sentence."""
    if len(answer) <= limit:
        return answer
    cut = max(answer.rfind(mark, 0, limit) for mark in "。；！")
    return (answer[: cut + 1] if cut > limit // 2 else answer[:limit]) + "……"


def entry_of(letters: list[dict], members: list[int], similar) -> dict | None:
    """The entry of one group, or None when no letter of it got a real answer."""
    answered = [i for i in members if text.is_substantive(letters[i]["reply"])]
    if not answered:
        return None
    if len(members) == 1 and not _INQUIRY.search(letters[members[0]]["title"]):
        return None
    central = max(answered, key=lambda i: (similar[i, members].sum(), len(letters[i]["reply"])))
    best = letters[central]
    others = [letters[i] for i in members if i != central]
    phrasings = list(dict.fromkeys(m["title"] for m in others if m["title"] != best["title"]))
    return {
        "question": best["title"],
        "answer": shorten(best["reply"]),
        "detail": best["detail"][:LETTER_CHARS],
        "department": guess_department(best["reply_raw"]),
        "valid_from": best["replied"],
        "keywords": phrasings,
        "letters": [best["id"], *(m["id"] for m in others)],
    }


def build(path: Path, step: Callable[[str], None] = lambda _m: None) -> dict:
    """The seed (a JSON-ready dict) from the replies CSV at ``path``."""
    from civicgrid.triage.services import suggest_categories

    step("reading")
    letters = read_letters(path)
    step("comparing")
    similar = similarity(letters)
    step("grouping")
    groups = group(letters, similar)
    step("writing entries")
    entries = []
    for members in groups:
        entry = entry_of(letters, members, similar)
        if entry is None:
            continue
        suggestions = suggest_categories(entry["question"], entry.pop("detail"))
        entry["category"] = suggestions[0][0] if suggestions else ""
        entries.append(entry)
    return {
        "source": (
            "TipDM 2020 data-mining challenge, problem C 智慧政务, replies.csv "
            "(no licence stated; research and demo use)"
        ),
        "letters": len(letters),
        "groups": len(groups),
        "entries": entries,
    }


def write(seed: dict, path: Path = SEED_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        json.dump(seed, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def read(path: Path = SEED_FILE) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def source_of(entry: dict) -> str:
    """``TipDM 2020 C, letter 6742 (+3 alike)``."""
    first, others = entry["letters"][0], len(entry["letters"]) - 1
    label = f"{SOURCE}, letter {first}"
    return f"{label} (+{others} alike)" if others else label


# --- loading the seed (the demo) --------------------------------------------------------


def load_demo(stdout=None, *, limit: int | None = None) -> int:
    """Load the demo knowledge base, the editors' group and a demo editor; safe to rerun.

    Returns how many entries were created (0 when the seed was loaded before).
    """
    from civicgrid.knowledge.models import Entry

    editors = _editors_group()
    _demo_editor(editors)
    if Entry.objects.filter(source__startswith=SOURCE).exists():
        return 0
    created = _load_entries(read()["entries"][:limit])
    _answered_demo_cases()
    if stdout is not None:
        stdout.write(
            _("%(n)d knowledge-base entries; editor account: kbeditor") % {"n": created} + "\n"
        )
    return created


def _editors_group() -> Group:
    group_, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="knowledge", codename__in=EDITOR_PERMISSIONS
    )
    group_.permissions.add(*permissions)
    return group_


def _demo_editor(editors: Group) -> None:
    from civicgrid.accounts.models import Role, User
    from civicgrid.accounts.services import grant_role
    from civicgrid.regions.models import Level, Region

    district = Region.objects.filter(code="370502000000", level=Level.DISTRICT).first()
    if district is None or User.objects.filter(username="kbeditor").exists():
        return
    from .load import DEMO_PASSWORD

    user = User(username="kbeditor", first_name="郑知识")
    user.set_password(DEMO_PASSWORD)
    user.save()
    grant_role(user, Role.OPERATOR, regions=[district])
    user.groups.add(editors)


@transaction.atomic
def _load_entries(rows: list[dict]) -> int:
    from civicgrid.knowledge import services
    from civicgrid.routing.models import Category, Department

    categories = {c.name: c for c in Category.objects.filter(parent__isnull=True)}
    departments = {d.code: d for d in Department.objects.all()}
    entries = [
        services.new_entry(
            question=row["question"],
            answer=row["answer"],
            category=categories.get(row.get("category", "")),
            department=departments.get(row.get("department", "")),
            valid_from=date.fromisoformat(row["valid_from"]) if row.get("valid_from") else None,
            source=source_of(row),
            keywords="\n".join(row.get("keywords", [])),
        )
        for row in rows
    ]
    return len(services.create_entries(entries, actor=None, via=services.VIA_SEED))


def _answered_demo_cases(entries: int = 6) -> None:
    """A few demo calls answered directly from the knowledge base, so usage shows."""
    from civicgrid.accounts.models import User
    from civicgrid.cases.models import CaseEvent
    from civicgrid.cases.services import Intake, answer_at_intake
    from civicgrid.knowledge.models import Entry

    operator = User.objects.filter(username="operator").first()
    if operator is None or CaseEvent.objects.filter(action="answer_directly").exists():
        return
    calls = 0
    for entry in Entry.objects.valid().exclude(keywords="").order_by("id")[:entries]:
        for title in (entry.question, entry.phrasings[0]):
            calls += 1
            intake = Intake(
                channel="hotline",
                request_type="inquiry",
                title=title[:200],
                content=title,
                category=entry.category,
                reporter_name="张先生",
                reporter_phone=f"1390000{calls:04d}",
            )
            answer_at_intake(intake, answer=entry.answer, knowledge_entry=entry.pk, actor=operator)
