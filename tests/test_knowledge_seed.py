"""The demo knowledge base: real replies grouped by topic into entries."""

import json

from civicgrid.demo import knowledge_seed as seed
from civicgrid.knowledge import text
from civicgrid.knowledge.models import Entry


def test_the_seed_file_is_small_and_groups_letters_into_answers():
    data = seed.read()
    assert seed.SEED_FILE.stat().st_size < 2 * 1024 * 1024
    entries = data["entries"]
    letters = sum(len(e["letters"]) for e in entries)
    assert len(entries) < letters <= data["letters"]
    assert sum(1 for e in entries if len(e["letters"]) > 1) > 200
    assert all(len(e["answer"]) >= 30 for e in entries)
    raw = json.dumps(entries, ensure_ascii=False)
    assert "UU00" not in raw  # user ids are gone
    assert "回复如下" not in "".join(e["answer"][:40] for e in entries)


def test_the_demo_loader_creates_grouped_entries_with_answers(db, capsys):
    from io import StringIO

    out = StringIO()
    created = seed.load_demo(stdout=out)
    rows = seed.read()["entries"]
    assert created == len(rows) == Entry.objects.count()
    assert Entry.objects.filter(answer="").count() == 0
    grouped = Entry.objects.exclude(keywords="")
    assert grouped.count() > 200
    assert grouped.first().source.startswith("TipDM 2020 C, letter ")
    assert "knowledge-base entries" in out.getvalue()
    assert seed.load_demo() == 0  # loading again changes nothing
    assert Entry.objects.count() == len(rows)


def test_a_published_reply_loses_its_greeting_thanks_and_date():
    reply = (
        "网友“UU008846”　　您好！您的留言已收悉。现将有关情况回复如下：　　"
        "A市城区禁止燃放孔明灯。　　感谢您对我们工作的支持、理解与监督！　　2018年3月19日"
    )
    assert text.clean_reply(reply) == "本市城区禁止燃放孔明灯。"
    assert not text.is_substantive(text.clean_reply("网友：您好！留言已收悉"))
    assert text.clean_title("K7县一中周末补课") == "本县一中周末补课"


def test_the_department_is_guessed_from_the_reply():
    assert seed.guess_department("经A市住房和城乡建设局调查，……") == "ZJJ"
    assert seed.guess_department("区人社局已责成……") == "RSJ"
    assert seed.guess_department("我镇已安排……") == ""
