"""One event recorder: every event is written by ``events.record`` and handed on."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import civicgrid
from civicgrid.cases import events, queries, services
from civicgrid.cases.events import Kind, Note

pytestmark = pytest.mark.django_db

PRODUCT = Path(civicgrid.__file__).parent
WRITES = re.compile(
    r"CaseEvent\.objects\.(create|bulk_create|get_or_create|update_or_create)\b"
    r"|(?<!class )\bCaseEvent\("
)


def test_no_product_code_writes_case_events_but_the_recorder():
    writers = [
        f"{path.relative_to(PRODUCT)}:{number}"
        for path in PRODUCT.rglob("*.py")
        if "tests" not in path.parts and path != PRODUCT / "cases" / "events.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WRITES.search(line)
    ]
    assert writers == []


def test_a_kind_nobody_declared_is_refused_and_nothing_written(new_case):
    with pytest.raises(events.UnknownKind):
        events.record(new_case, "no_such_kind", actor=None)
    assert new_case.events.count() == 1


def test_a_kind_is_declared_once_and_moves_only_by_the_lifecycle():
    with pytest.raises(ValueError, match="declared twice"):
        events.declare(Kind(Note.ADD_NOTE, "again"))
    with pytest.raises(ValueError, match="only the lifecycle"):
        events.declare(Kind("teleport", "teleport", move=True))


def test_every_event_is_handed_to_the_consumers_after_commit(
    new_case, operator, monkeypatch, django_capture_on_commit_callbacks
):
    handed = []
    monkeypatch.setattr(events, "CONSUMERS", [handed.append])
    upload = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_file(new_case, upload, actor=operator)
        assert handed == []  # not before the commit
    assert [e.action for e in handed] == [Note.ADD_FILE]


def test_a_note_is_public_unless_its_kind_says_otherwise(new_case):
    added = events.record(new_case, Note.ADD_NOTE, actor=None, note="来电人补充")
    recomputed = events.record(new_case, Note.RECOMPUTE_DEADLINE, actor=None)
    assert (added.public, recomputed.public) == (True, False)
    assert added.from_status == added.to_status == new_case.status


def test_an_upper_apps_kind_is_labelled_and_shown_as_it_declared(new_case, monkeypatch):
    shown = events.details_of({"crew": ("crew", str)})
    monkeypatch.setitem(events.KINDS, "drill", Kind("drill", "drill held", details=shown))
    events.record(new_case, "drill", actor=None, data={"crew": "3", "secret": "x"})
    drill = queries.timeline(new_case)[-1]
    assert (drill.label, drill.details) == ("drill held", [("crew", "3")])


def test_a_new_urgency_moves_the_step_deadline_and_says_so(new_case, dispatcher):
    before = new_case.due_at
    event = services.change_urgency(new_case, "urgent", actor=dispatcher, reason="水管爆裂")
    new_case.refresh_from_db()
    assert new_case.urgency == "urgent"
    assert new_case.due_at < before
    assert (event.action, event.public, event.note) == (Note.CHANGE_URGENCY, False, "水管爆裂")
    assert services.change_urgency(new_case, "urgent", actor=dispatcher) is None


def test_a_new_urgency_on_a_stale_copy_is_refused(new_case, dispatcher):
    from civicgrid.cases.lifecycle import ConcurrentUpdate
    from civicgrid.cases.models import Case

    stale = Case.objects.get(pk=new_case.pk)
    services.change_urgency(new_case, "urgent", actor=dispatcher)
    with pytest.raises(ConcurrentUpdate):
        services.change_urgency(stale, "same_day", actor=dispatcher)


def test_only_the_project_wiring_declares_kinds_and_consumers():
    wiring = PRODUCT / "wiring" / "extensions.py"
    callers = re.compile(r"\bevents\.(declare|add_consumer)\(")
    elsewhere = [
        str(path.relative_to(PRODUCT))
        for path in PRODUCT.rglob("*.py")
        if "tests" not in path.parts and path != wiring
        if callers.search(path.read_text(encoding="utf-8"))
    ]
    assert elsewhere == []
    assert callers.search(wiring.read_text(encoding="utf-8"))
