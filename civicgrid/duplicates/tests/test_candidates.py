"""Possible duplicates: open cases nearby and recent, the most alike first."""

from datetime import timedelta

from django.utils import timezone, translation

from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f
from civicgrid.duplicates.candidates import NO_PLACE, find_candidates

LAMP = ("幸福小区南门路灯不亮", "幸福小区南门外的路灯坏了三天，晚上一片漆黑，老人出门很危险。")
# A second caller retelling the first one's story, as bench/duplicates.py makes them.
LAMP_RETOLD = (
    "反映幸福小区南门路灯不亮",
    "我也遇到同样的问题，幸福小区南门外的路灯坏了三天，晚上一片漆黑。",
)
# Told independently: the same problem in other words.
LAMP_AGAIN = ("南门路灯坏了", "幸福小区南门的路灯坏了好几天了，晚上漆黑一片。")
DOG = ("小区有人遛狗不牵绳", "幸福小区里有人遛狗不拴绳，把小孩吓哭了，请物业管一管。")


def case(operator, grid, text, category=None, **extra):
    return f.make_case(
        actor=operator, grid=grid, title=text[0], content=text[1], category=category, **extra
    )


def aged(case, days):
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=days))
    return case


def numbers(found):
    return [c.case.number for c in found.items]


def test_a_retelling_in_the_same_grid_is_a_likely_duplicate(neighbours, operator):
    first = case(operator, neighbours["grid11"], LAMP)
    case(operator, neighbours["grid11"], DOG)
    found = find_candidates(*LAMP_RETOLD, neighbours["grid11"])
    assert numbers(found) == [first.number]  # the other shares only everyday words
    assert found.items[0].likely
    assert found.items[0].same_grid


def test_the_same_problem_in_other_words_ranks_first(neighbours, operator):
    """Independently written reports share less text, but still more than others do."""
    first = case(operator, neighbours["grid11"], LAMP)
    case(operator, neighbours["grid11"], DOG)
    found = find_candidates(*LAMP_AGAIN, neighbours["grid11"])
    assert numbers(found) == [first.number]


def test_a_neighbouring_grid_is_searched_but_a_farther_one_is_not(neighbours, operator):
    next_door = case(operator, neighbours["grid12"], LAMP)
    two_away = case(operator, neighbours["grid21"], LAMP)
    found = find_candidates(*LAMP_AGAIN, neighbours["grid11"])
    assert numbers(found) == [next_door.number]
    assert not found.items[0].same_grid
    assert two_away.number in numbers(find_candidates(*LAMP_AGAIN, neighbours["grid22"]))


def test_old_closed_and_merged_cases_are_not_candidates(neighbours, operator, dispatcher):
    grid = neighbours["grid11"]
    old = aged(case(operator, grid, LAMP), 40)
    answered = case(operator, grid, LAMP)
    lifecycle.apply(answered, Action.ANSWER_DIRECTLY, actor=dispatcher, answer="已报修。")
    target = case(operator, grid, DOG)
    merged = case(operator, grid, LAMP)
    lifecycle.apply(merged, Action.MERGE, actor=dispatcher, into=target.number)
    found = find_candidates(*LAMP_AGAIN, grid)
    assert not {old.number, answered.number, merged.number} & set(numbers(found))
    assert old.number in numbers(find_candidates(*LAMP_AGAIN, grid, window_days=60))


def test_the_time_window_ends_at_the_moment_asked_about(neighbours, operator):
    first = case(operator, neighbours["grid11"], LAMP)
    before = timezone.now() - timedelta(days=1)
    assert numbers(find_candidates(*LAMP_AGAIN, neighbours["grid11"], at=before)) == []
    assert numbers(find_candidates(*LAMP_AGAIN, neighbours["grid11"])) == [first.number]


def test_the_more_alike_ranks_first(neighbours, operator):
    grid = neighbours["grid11"]
    loose = case(operator, grid, ("南门路灯", "小区南门晚上有点暗。"))
    close = case(operator, grid, LAMP)
    assert numbers(find_candidates(*LAMP_AGAIN, grid))[:2] == [close.number, loose.number]


def test_without_a_place_the_same_category_at_the_centre_is_searched(
    neighbours, operator, category
):
    unplaced = f.make_case(actor=operator, title=LAMP[0], content=LAMP[1], category=category)
    found = find_candidates(*LAMP_AGAIN, None, category=category, centre=unplaced.owner_region)
    assert numbers(found) == [unplaced.number]
    nothing = find_candidates(*LAMP_AGAIN, None)
    assert nothing.items == []
    assert nothing.reason == NO_PLACE
    with translation.override("en"):
        assert "position" in nothing.reason_text


def test_only_cases_the_asker_may_see_are_shown(neighbours, operator, outsider):
    case(operator, neighbours["grid11"], LAMP)
    assert find_candidates(*LAMP_AGAIN, neighbours["grid11"], actor=outsider).items == []
    assert find_candidates(*LAMP_AGAIN, neighbours["grid11"], actor=operator).items


def test_with_no_text_the_nearby_open_cases_of_the_category_are_listed(
    neighbours, operator, category
):
    mine = case(operator, neighbours["grid11"], LAMP, category=category)
    case(operator, neighbours["grid11"], DOG)
    found = find_candidates("", "", neighbours["grid11"], category=category)
    assert numbers(found) == [mine.number]


def test_a_grid_worker_sees_candidates_only_in_their_own_grids(neighbours, operator, grid_worker):
    # The grid worker covers grids 11 and 12; grid 21 borders 12 but is not theirs.
    theirs = case(operator, neighbours["grid11"], LAMP)
    not_theirs = case(operator, neighbours["grid21"], LAMP)
    found = numbers(find_candidates(*LAMP_RETOLD, neighbours["grid12"], actor=grid_worker))
    assert theirs.number in found
    assert not_theirs.number not in found
    everything = numbers(find_candidates(*LAMP_RETOLD, neighbours["grid12"], actor=operator))
    assert {theirs.number, not_theirs.number} <= set(everything)


def test_a_candidate_carries_what_a_list_shows(neighbours, operator, category):
    first = case(operator, neighbours["grid11"], LAMP, category=category)
    candidate = find_candidates(*LAMP_RETOLD, neighbours["grid11"]).items[0]
    found = candidate.case
    assert (found.pk, found.number, found.title, found.status) == (
        first.pk,
        first.number,
        first.title,
        first.status,
    )
    assert found.created_at == first.created_at
    assert found.category_id == category.pk
    assert candidate.opening == LAMP[1]
    assert found.get_status_display()
