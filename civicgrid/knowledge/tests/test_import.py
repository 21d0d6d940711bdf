"""``civicgrid import-knowledge FILE``: a city's own entries, all or nothing."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from civicgrid.knowledge import search
from civicgrid.knowledge.models import ChangeKind, Entry, EntryChange

HEADER = "question,answer,category_code,department_code,valid_from,valid_to,source\n"


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (commands speak Chinese by default)."""
    with translation.override("en"):
        yield


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "entries.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def run(path):
    call_command("import_knowledge", str(path), "--no-progress")


def test_a_good_file_is_imported_and_searchable(tmp_path, category, bureau, capsys):
    path = write(
        tmp_path,
        "居住证怎么办理,持身份证和租房合同到社区警务室办理。,01,CGJ,2025-01-01,,公安局通知\n"
        '"垃圾分类有哪些类别","分为可回收物、有害垃圾、厨余垃圾和其他垃圾。",,,,,\n',
    )
    run(path)
    assert "2 entries imported." in capsys.readouterr().out
    permit = Entry.objects.get(question="居住证怎么办理")
    assert (permit.category, permit.department, permit.source) == (category, bureau, "公安局通知")
    assert str(permit.valid_from) == "2025-01-01"
    assert EntryChange.objects.filter(kind=ChangeKind.CREATED, via="import").count() == 2
    assert search.search("垃圾分类")[0][0].question == "垃圾分类有哪些类别"


def test_a_bad_line_imports_nothing_and_every_bad_line_is_named(tmp_path, category, capsys):
    path = write(
        tmp_path,
        "居住证怎么办理,持身份证办理。,01,,2025-01-01,,\n"
        ",没有问题的答案,,,,,\n"
        "户口迁移,需要户口簿。,99,,,,\n"
        "医保报销,带发票。,,,2025-13-01,,\n"
        "落户,见通知。,,,2025-05-01,2025-04-01,\n",
    )
    with pytest.raises(CommandError, match="4 bad lines: nothing was imported"):
        run(path)
    errors = capsys.readouterr().err
    assert "line 3, question: Write the question the entry answers." in errors
    assert "line 4, category_code: no active one has the code “99”." in errors
    assert "line 5, valid_from: “2025-13-01” is not a date (YYYY-MM-DD)." in errors
    assert "line 6, valid_to: The entry cannot end before it starts." in errors
    assert "line 2" not in errors
    assert not Entry.objects.exists()


def test_a_line_with_a_newline_inside_quotes_is_numbered_where_it_starts(tmp_path, db, capsys):
    path = write(tmp_path, '"问题一","第一行\n第二行",,,,,\n问题二,答案,,,bad,,\n')
    with pytest.raises(CommandError):
        run(path)
    assert "line 4, valid_from" in capsys.readouterr().err


def test_a_file_with_another_header_is_refused(tmp_path, db, capsys):
    path = write(tmp_path, "问题,答案\n", header="q,a\n")
    with pytest.raises(CommandError, match="1 bad lines"):
        run(path)
    assert "line 1, header: the header must be" in capsys.readouterr().err
    assert not Entry.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(tmp_path, db):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "问题,答案,,,,,\n").encode("gbk"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(path)
    assert not Entry.objects.exists()
