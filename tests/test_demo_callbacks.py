"""The demo shows the callback desk's tries and the reply templates (#10): some sample
callers did not answer and wait for a later try; every demo phrase finds its category
and department."""

import pytest

from civicgrid.cases.events import Note
from civicgrid.cases.models import Case, ReplyTemplate, Status
from civicgrid.demo import load, reply_templates

pytestmark = pytest.mark.django_db


def test_the_demo_has_missed_callbacks_and_its_phrases(db):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    load.load_sample_cases(progress=False)
    load.load_reply_templates()

    waiting = Case.objects.filter(status=Status.VERIFIED, callback_tries=1)
    assert waiting.exists()
    assert all(c.events.filter(action=Note.CALLBACK_MISSED).count() == 1 for c in waiting)
    assert ReplyTemplate.objects.count() == len(reply_templates.TEMPLATES)
    assert reply_templates.load_demo() == len(reply_templates.TEMPLATES)  # again: updates
    assert ReplyTemplate.objects.count() == len(reply_templates.TEMPLATES)
