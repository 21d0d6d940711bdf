"""Hot issues found in the demo's TipDM sample (verified by reading the clusters)."""

import pytest

from civicgrid.demo import hot_issues_sample as sample
from civicgrid.duplicates import hotissues


@pytest.fixture(scope="module")
def clustered():
    rows = sample.load()
    reports = sample.reports(rows)
    groups = hotissues.cluster(reports)
    group_of = {i: n for n, group in enumerate(groups) for i in group}
    return rows, reports, groups, group_of


def biggest_share(clustered, *words):
    """How many messages naming all ``words`` there are, and how many share one cluster."""
    rows, _reports, groups, group_of = clustered
    hits = [i for i, r in enumerate(rows) if all(w in r["title"] + r["detail"] for w in words)]
    together = max(sum(group_of[i] == n for i in hits) for n in {group_of[i] for i in hits})
    return len(hits), together


def test_complaints_about_the_mixing_plant_at_lifa_xincheng_cluster_together(clustered):
    # 55 messages from ~50 people, Nov 2019 – Jan 2020, each in their own words.
    found, together = biggest_share(clustered, "丽发新城", "搅拌")
    assert found >= 50
    assert together >= 0.9 * found


def test_complaints_about_bundled_parking_at_yijingyuan_cluster_together(clustered):
    found, together = biggest_share(clustered, "伊景园", "车位")
    assert found >= 50
    assert together >= 0.9 * found


def test_every_message_about_the_58_car_loan_fraud_is_in_one_cluster(clustered):
    found, together = biggest_share(clustered, "58车贷")
    assert found == together == 15


def test_an_unrelated_message_stays_out_of_the_big_clusters(clustered):
    rows, _reports, groups, group_of = clustered
    photo_studio = next(i for i, r in enumerate(rows) if r["id"] == "188006")  # 婚纱摄影 taxes
    mixing_plant = next(i for i, r in enumerate(rows) if r["title"] == "丽发新城小区旁边建搅拌站")
    assert group_of[photo_studio] != group_of[mixing_plant]
    assert len(groups[group_of[photo_studio]]) < 3


def test_one_person_repeating_themselves_is_not_a_hot_issue(clustered):
    """Ten messages about 茶场村 demolition, all from one user, with no likes."""
    rows, reports, _groups, _group_of = clustered
    tea_farm = [r for r, row in zip(reports, rows, strict=True) if "茶场村五组" in row["title"]]
    assert len(tea_farm) >= 8
    assert len({r.person for r in tea_farm}) == 1
    assert hotissues.issues(tea_farm, tea_farm[-1].at) == []


def test_the_biggest_sample_issues_are_hot_at_their_time(clustered):
    _rows, reports, _groups, _group_of = clustered
    end_of_2019 = max(r.at for r in reports if r.at.year == 2019)
    found = hotissues.issues(reports, end_of_2019)
    assert "搅拌" in found[0].representative.title  # still coming in at the end of 2019
    assert found[0].reporters >= 45
