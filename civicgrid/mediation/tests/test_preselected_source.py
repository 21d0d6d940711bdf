"""The hand-over form on the case page takes its source from ``?source=`` (访调对接)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _selected_source(html: str) -> str:
    form = html.split('id="hand-over-form"', 1)[1].split("</form>", 1)[0]
    select = form.split('name="source"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option value="([a-z_0-9]+)" selected>', select).group(1)


def test_the_petition_office_link_preselects_the_petition_source(client, dispatcher, new_case):
    client.force_login(dispatcher)
    url = f"/cases/{new_case.number}/"
    assert _selected_source(client.get(url).content.decode()) == "hotline"
    assert _selected_source(client.get(url + "?source=petition").content.decode()) == "petition"
    # An unknown source is ignored: the channel's guess stands.
    assert _selected_source(client.get(url + "?source=mars").content.decode()) == "hotline"
