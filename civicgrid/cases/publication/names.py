"""Finding person names in Chinese text, to mask them before it is published.

Two finders, both tuned to mask too much rather than too little, yet not to garble
common words:

- ``HONORIFIC``: a surname before a form of address (王先生, 张师傅, 刘阿姨, 赵大爷,
  with up to two given-name characters: 王建国先生); titles (老师, 主任…) only right
  after the surname, since 高中老师 is a teacher, not a person named 高中;
- ``find_names``: words that jieba tags as person names (``nr``). jieba's POS tagger
  (``jieba.posseg``) runs an HMM over every character: 31 s for the texts of an
  Open311 page of 1,000 requests (400,000 characters; ``bench/publication.py``, on a
  busy machine). So only runs of Chinese characters holding a surname are cut, with
  ``jieba.cut`` (whose HMM finds unknown names such as 孙丽华), and a word is a name
  when the POS dictionary tags it ``nr`` or does not know it — and it starts with a
  common surname, has a name's length, does not end like a place (…镇, …路) and is no
  common word (谢谢, 许可, 陈旧: frequent in jieba's dictionary): 1.7 s for the same
  page. Results are cached per process by text, so the page read again costs its
  rendering only (0.75 s against 2.3 s cold, whole request, same machine).
"""

import logging
import re
import threading
import warnings
from functools import lru_cache

# The most common single-character surnames, without those that mostly begin other words
# (安装, 司机, 单位, 包邮, 付款, 和, 时, 管, 米, 方, 常…), which would garble text.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金廖贾夏韦傅邹孟熊秦邱江尹薛闫段"
    "雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳"
    "翟殷詹欧耿兰焦俞柳祝舒阮柯纪梅童凌毕季裴霍涂翁冉骆蓝辛靳柴蒙鲍喻祁蒲滕屈饶"
    "牟艾尤穆卓缪褚娄窦戚岑晏瞿佟臧闵苟邬卞姬仇栾隋刁巫寇郎甄虞敖巩佘邝"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "夏侯",
    "尉迟",
    "公孙",
    "长孙",
    "宇文",
    "司徒",
    "南宫",
    "端木",
)
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + "|[" + "".join(sorted(SURNAMES)) + "])"
# Given-name characters: any Han character but the little words around a name.
_GIVEN = r"(?:(?![的了和是在说让请给找叫被把对向跟与及为从都也就还])[\u4e00-\u9fff])"
ADDRESS = ("先生", "女士", "小姐", "师傅", "阿姨", "大爷", "大妈", "大娘", "大姐", "大哥", "大叔")
ADDRESS += ("大婶", "奶奶", "爷爷", "叔叔", "伯伯", "婆婆")
TITLES = ("老师", "主任", "书记", "经理", "科长", "局长", "所长", "队长", "站长", "村长", "医生")
HONORIFIC = re.compile(
    rf"{_SURNAME}(?:{_GIVEN}{{0,2}}?(?:{'|'.join(ADDRESS)})|(?:{'|'.join(TITLES)}))"
)

# A name does not end like a place or an organisation.
PLACE_ENDINGS = frozenset("镇村乡县区路街道湖山园苑坪江河桥城市省楼校院站厂场店所局委")
COMMON = 20  # jieba dictionary frequency from which a word is an everyday word
CACHE_SIZE = 20_000

_ready = threading.Lock()
_tagger = None


def _jieba():
    """jieba and its POS dictionary, loaded once per process (about 0.7 s)."""
    global _tagger
    if _tagger is None:
        with _ready:
            if _tagger is None:
                with warnings.catch_warnings():
                    # jieba's regular expressions use escapes newer Pythons warn of.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", SyntaxWarning)
                    import jieba
                    import jieba.posseg

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _tagger = jieba.posseg.dt
    return _tagger


def _surname_length(word: str) -> int:
    if word[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if word[0] in SURNAMES else 0


def _is_name(word: str, frequency: dict, tags: dict) -> bool:
    surname = _surname_length(word)
    if not surname or not surname + 1 <= len(word) <= surname + 2:
        return False
    if word[-1] in PLACE_ENDINGS:
        return False
    known = frequency.get(word) or 0
    if known and not tags.get(word, "").startswith("nr"):
        return False  # a dictionary word that is not a name
    if known >= COMMON:
        return False  # tagged a name, but mostly a word: 谢谢, 许可, 陈旧, 高三
    # 谢谢您, 何原因: a common word at the start is no surname and given name.
    return len(word) < 3 or (frequency.get(word[:2]) or 0) < COMMON


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_STARTS = SURNAMES | {name[0] for name in COMPOUND_SURNAMES}


def _may_hold_a_name(run: str) -> bool:
    return any(char in _STARTS for char in run[:-1])


@lru_cache(maxsize=CACHE_SIZE)
def find_names(text: str) -> frozenset[str]:
    """Person names in ``text`` (see the module's docstring for how and what it costs).

    Only runs of Chinese characters with a surname before their last character are cut:
    a fifth of a citizen's text, which makes it four times cheaper, finding the same.
    """
    runs = [run for run in _HAN_RUN.findall(text) if _may_hold_a_name(run)]
    if not runs:
        return frozenset()
    tagger = _jieba()
    frequency, tags = tagger.tokenizer.FREQ, tagger.word_tag_tab
    cut = tagger.tokenizer.cut
    return frozenset(w for run in runs for w in cut(run) if _is_name(w, frequency, tags))
