"""How well the "likely duplicate" decision works, on duplicates made by rewriting messages.

No labelled duplicates exist, so they are made: each held-out citizen message is
rewritten the way a second caller would tell the same problem (``rewrite``), and the
rewrite is compared with its original and with ten *other* messages of the same
category that could sit in the same grid — the five most alike (the hard ones: same
kind of problem, often the same words) and five at random. A pair is a true duplicate
only when it is the original. ``measure`` gives precision and recall of the decision
``likeness ≥ threshold`` over all pairs, and how often the original ranks first.

The threshold is chosen on the *training* messages (``choose_threshold``) and measured
on the held-out ones, so the figures are not tuned to the data they report on.
"""

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from civicgrid.cases.greetings import without_greeting
from civicgrid.duplicates.text import likeness, message_text, shingles

NEAR_NEGATIVES = 5
RANDOM_NEGATIVES = 5
TARGET_PRECISION = 0.9
TARGET_RECALL = 0.8

# Words a second caller says differently (a small hand list, both directions used).
SYNONYMS = [
    ("小区", "社区"),
    ("反映", "投诉"),
    ("希望", "恳请"),
    ("马路", "道路"),
    ("噪音", "噪声"),
    ("业主", "住户"),
    ("孩子", "小孩"),
    ("现在", "目前"),
    ("什么时候", "何时"),
    ("解决", "处理"),
    ("政府", "有关部门"),
    ("请问", "想问一下"),
    ("工资", "薪水"),
    ("老师", "教师"),
    ("居民", "群众"),
    ("严重", "非常"),
    ("影响", "干扰"),
    ("没有", "没"),
    ("垃圾", "废物"),
    ("楼下", "楼底"),
]
# Slips of a phone keyboard (同音字): a few characters typed as their homophone.
HOMOPHONES = [
    ("的", "得"),
    ("在", "再"),
    ("已", "以"),
    ("做", "作"),
    ("象", "像"),
    ("账", "帐"),
    ("到", "道"),
    ("是", "事"),
    ("安装", "按装"),
    ("反映", "反应"),
    ("那", "哪"),
    ("部门", "布门"),
]
OPENINGS = [
    "我也遇到同样的问题，",
    "我们楼也是这样，",
    "跟邻居反映的一样，",
    "再次反映：",
    "我也想说一下，",
]
CLOSINGS = ["请尽快处理！", "希望有关部门重视。", "已经很久了，麻烦管一管。", "谢谢！", "盼回复。"]
OPERATIONS = ("reorder", "truncate", "drop", "synonym", "homophone", "add", "abbreviate")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_THANKS = re.compile(r"(谢谢|非常感谢|此致敬礼)[！!。]*")


@dataclass
class Message:
    """A message to rewrite or compare: its title, content and category label."""

    title: str
    content: str
    label: str
    key: int = 0


@dataclass
class Rewrite:
    title: str
    content: str
    operations: list[str] = field(default_factory=list)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _swap(text: str, table, chance: float, rng: random.Random) -> str:
    for a, b in table:
        if a in text and rng.random() < chance:
            text = text.replace(a, b, 1) if rng.random() < 0.5 else text.replace(a, b)
    return text


def _shuffle_sentences(sentences: list[str], rng: random.Random) -> list[str]:
    head, rest = sentences[:1], sentences[1:]
    rng.shuffle(rest)
    return head + rest if rng.random() < 0.5 else rest + head


def _shorten(sentences: list[str], operations: list[str], rng: random.Random) -> list[str]:
    if "drop" in operations and len(sentences) > 3:
        del sentences[rng.randrange(len(sentences))]
    if "truncate" in operations and len(sentences) > 2:
        sentences = sentences[: max(2, int(len(sentences) * rng.uniform(0.4, 0.8)))]
    return sentences


def _retell(sentences: list[str], rng: random.Random) -> str:
    """One or two sentences of the story, in other words."""
    k = rng.randint(1, min(2, len(sentences)))
    start = rng.randrange(len(sentences) - k + 1)
    return _swap("".join(sentences[start : start + k]), SYNONYMS, 0.6, rng)


def _own_title(title: str, body: str, rng: random.Random) -> str:
    """The second caller's title: reworded, the opening of their story, or prefixed."""
    pick = rng.random()
    if pick < 0.35:
        return _swap(title, SYNONYMS, 0.7, rng)
    if pick < 0.6 and body:
        return body[: rng.randint(12, 24)]
    if pick < 0.8:
        return rng.choice(["关于", "反映", "投诉"]) + _swap(title, SYNONYMS, 0.5, rng)
    return title


def rewrite(message: Message, rng: random.Random) -> Rewrite:
    """The same problem told by a second caller: 2–4 operations of ``OPERATIONS``.

    Sometimes only one or two sentences are retold, and sometimes the caller gives a
    title only (a quick report from a phone).
    """
    text = message.content or message.title
    operations = rng.sample(OPERATIONS, k=rng.randint(2, 4))
    sentences = _sentences(without_greeting(text)) or [text]
    if "reorder" in operations and len(sentences) > 2:
        sentences = _shuffle_sentences(sentences, rng)
    sentences = _shorten(sentences, operations, rng)
    body = "".join(sentences)
    if "truncate" in operations and len(sentences) <= 2 and len(body) > 40:
        body = body[: int(len(body) * rng.uniform(0.5, 0.85))]
    mode = rng.random()
    if mode < 0.2 and len(sentences) > 1:
        operations.append("retell")
        body = _retell(sentences, rng)
    if "synonym" in operations:
        body = _swap(body, SYNONYMS, 0.6, rng)
    if "homophone" in operations:
        body = _swap(body, HOMOPHONES, 0.3, rng)
    if "abbreviate" in operations:
        body = _THANKS.sub("", body)
    if "add" in operations:
        body = rng.choice(OPENINGS) + body + rng.choice(CLOSINGS)
    title = _own_title(message.title, body, rng)
    if mode > 0.85:
        operations.append("title_only")
        return Rewrite(title, "", operations)
    if not message.content and rng.random() < 0.5:
        return Rewrite(title, "", operations)  # the original was a title only as well
    return Rewrite(title, body, operations)


@dataclass
class Pair:
    query: int  # index of the rewritten message
    candidate: int  # index of the compared message
    score: float
    duplicate: bool


def make_pairs(messages: Sequence[Message], seed: int = 2020) -> tuple[list[Pair], list[Rewrite]]:
    """Score each message's rewrite against its original and ten same-category others."""
    rng = random.Random(seed)
    prints = [shingles(message_text(m.title, m.content)) for m in messages]
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(messages):
        by_label[m.label].append(i)
    pairs: list[Pair] = []
    rewrites: list[Rewrite] = []
    for i, message in enumerate(messages):
        made = rewrite(message, rng)
        rewrites.append(made)
        query = shingles(message_text(made.title, made.content))
        others = [j for j in by_label[message.label] if j != i]
        others.sort(key=lambda j: -likeness(prints[i], prints[j]))
        near = others[:NEAR_NEGATIVES]
        rest = others[NEAR_NEGATIVES:]
        far = rng.sample(rest, min(RANDOM_NEGATIVES, len(rest)))
        pairs.append(Pair(i, i, likeness(query, prints[i]), True))
        pairs += [Pair(i, j, likeness(query, prints[j]), False) for j in near + far]
    return pairs, rewrites


def measure(pairs: Sequence[Pair], threshold: float) -> dict:
    """Precision, recall and F1 of ``score ≥ threshold``, and top-1 accuracy."""
    flagged = [p for p in pairs if p.score >= threshold]
    true_flagged = sum(p.duplicate for p in flagged)
    positives = sum(p.duplicate for p in pairs)
    precision = true_flagged / len(flagged) if flagged else 1.0
    recall = true_flagged / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    best: dict[int, Pair] = {}
    for p in pairs:
        if p.query not in best or p.score > best[p.query].score:
            best[p.query] = p
    top1 = sum(p.duplicate for p in best.values()) / len(best) if best else 0.0
    return {
        "threshold": threshold,
        "pairs": len(pairs),
        "duplicates": positives,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "top1": top1,
    }


def choose_threshold(pairs: Sequence[Pair], min_precision: float = 0.95) -> float:
    """The lowest threshold (most recall) whose precision still reaches ``min_precision``.

    Asks for more precision than the goal (0.9) so the choice holds on other messages.
    """
    chosen = 1.0
    for threshold in sorted({round(p.score, 2) for p in pairs}, reverse=True):
        if measure(pairs, threshold)["precision"] < min_precision:
            break
        chosen = threshold
    return chosen


def recall_by_operation(pairs: Sequence[Pair], rewrites: Sequence[Rewrite], threshold: float):
    """Recall per rewrite operation: which kind of retelling the decision misses."""
    found: dict[str, list[bool]] = defaultdict(list)
    for p in pairs:
        if p.duplicate:
            for operation in rewrites[p.query].operations:
                found[operation].append(p.score >= threshold)
    return {op: sum(hits) / len(hits) for op, hits in sorted(found.items())}
