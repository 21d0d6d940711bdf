"""The shipped classifier suggests categories for held-out citizen messages."""

import random

import pytest
from sklearn.metrics import f1_score

from civicgrid.triage import dataset, training
from civicgrid.triage import model as triage_model
from civicgrid.triage.services import suggest_categories

pytestmark = pytest.mark.django_db

CATEGORIES = {
    "城乡建设",
    "环境保护",
    "交通运输",
    "教育文体",
    "劳动和社会保障",
    "商贸旅游",
    "卫生计生",
}


@pytest.fixture(scope="module")
def held_out():
    messages = dataset.load("test")
    return random.Random(4).sample(messages, 400)


def test_held_out_messages_were_never_trained_on():
    train, test = dataset.load("train"), dataset.load("test")
    seen = {m.title for m in train if m.title} | {m.text for m in train}
    assert not [m for m in test if m.title in seen or m.text in seen]
    assert len(test) > 1000


def test_the_shipped_model_beats_guessing_the_most_common_category(held_out):
    pipeline = training.load(training.SHIPPED_MODEL)
    truth = [m.label for m in held_out]
    rows = triage_model.rows([m.title for m in held_out], [m.text for m in held_out])
    predicted = [top[0][0] for top in triage_model.predict_top(pipeline, rows)]
    majority = max(set(truth), key=truth.count)

    model_f1 = f1_score(truth, predicted, average="macro")
    baseline_f1 = f1_score(truth, [majority] * len(truth), average="macro")

    assert model_f1 >= baseline_f1 + 0.6
    assert model_f1 >= 0.85


def test_suggestions_are_three_categories_most_likely_first():
    suggestions = suggest_categories(
        "小区楼下烧烤店油烟噪音扰民", "每天晚上烧烤到凌晨两点，油烟熏人"
    )

    labels = [label for label, _ in suggestions]
    probabilities = [p for _, p in suggestions]
    assert len(suggestions) == 3
    assert len(set(labels)) == 3
    assert set(labels) <= CATEGORIES
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1 + 1e-9


def test_a_clear_message_gets_its_category_first():
    suggestions = suggest_categories("孩子上小学学位不足，学校招生划片不合理")

    assert suggestions[0][0] == "教育文体"
    assert suggestions[0][1] > 0.5


def test_direct_probabilities_match_scikit_learn(held_out):
    pipeline = training.load(training.SHIPPED_MODEL)
    rows = triage_model.rows([m.title for m in held_out[:50]], [m.text for m in held_out[:50]])

    direct = triage_model.probabilities(pipeline, rows)

    assert abs(direct - pipeline.predict_proba(rows)).max() < 1e-6
