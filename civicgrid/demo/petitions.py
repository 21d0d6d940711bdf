"""Demo petitions (信访) at the 东营区 centre's window: a handful at every stage, with a
repeat petition, one to a higher level, one owned by the leader with a visit logged,
and one turned into mediation with the petitioner's consent (访调对接).

Walked through ``petitions.services`` as the window would; names are invented.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases import services as cases
from civicgrid.mediation import services as mediation
from civicgrid.mediation.models import Source
from civicgrid.petitions import services
from civicgrid.petitions.models import Addressed, Form, Petition
from civicgrid.regions.models import Level, Region

OFFICE = "东营区矛盾纠纷多元化解中心信访窗口"
WAGES = "某建筑工地拖欠农民工工资三个月共计八万元，多次讨要无果，请求政府督促支付。"

# (title, form, name, phone, matter, addressed, higher level, days ago, stage)
PETITIONS = [
    (
        "拖欠农民工工资",
        Form.VISIT,
        "马建军",
        "13905460001",
        WAGES,
        Addressed.DISTRICT,
        False,
        40,
        "replied",
    ),
    (
        "拖欠工资再次来访",
        Form.VISIT,
        "马建军",
        "13905460001",
        "建筑工地欠薪八万元至今仍未支付，请求政府督促支付农民工工资。",
        Addressed.DISTRICT,
        False,
        3,
        "registered",
    ),
    (
        "征地补偿标准",
        Form.LETTER,
        "高秀兰",
        "13905460002",
        "村集体土地征收补偿标准低于周边村庄，请求重新核定补偿标准并公开分配方案。",
        Addressed.PROVINCE,
        True,
        10,
        "accepted",
    ),
    (
        "邻里宅基地纠纷",
        Form.ONLINE,
        "林志强",
        "13905460003",
        "邻居翻建房屋占用我家宅基地约半米，协商不成，请求处理。",
        Addressed.DISTRICT,
        False,
        6,
        "mediation",
    ),
    (
        "已起诉的借款纠纷",
        Form.VIDEO,
        "邱文",
        "13905460004",
        "借款五万元对方不还，已向法院起诉，请求信访部门督促对方还款。",
        Addressed.CITY,
        False,
        8,
        "refused",
    ),
    (
        "供暖不热",
        Form.ONLINE,
        "方丽",
        "13905460005",
        "小区冬季供暖温度长期不达标，室温不足十六度，请求督促供热公司整改。",
        Addressed.DISTRICT,
        False,
        30,
        "owned",
    ),
]


def load_demo(district_code: str) -> None:
    """The demo petitions; nothing is added when they exist already."""
    if Petition.objects.filter(receiving_office=OFFICE).exists():
        return
    district = Region.objects.filter(code=district_code).first()
    users = {
        u.username: u for u in User.objects.filter(username__in=["operator", "leader", "admin"])
    }
    operator, leader, admin = users.get("operator"), users.get("leader"), users.get("admin")
    if district is None or operator is None or leader is None or admin is None:
        return
    grids = list(
        Region.objects.filter(level=Level.GRID, path__startswith=district.path).order_by("code")[:6]
    )
    today = timezone.localdate()
    with transaction.atomic():
        for i, (title, form, name, phone, matter, addressed, higher, ago, stage) in enumerate(
            PETITIONS
        ):
            grid = grids[i % len(grids)] if grids else None
            case = cases.register_case(
                cases.Intake(
                    channel=services.CHANNEL_OF_FORM[form],
                    title=title,
                    content=matter,
                    lng=grid.centroid_lng if grid else None,
                    lat=grid.centroid_lat if grid else None,
                    reporter_name=name,
                    reporter_phone=phone,
                ),
                actor=operator,
            )
            received = today - timedelta(days=ago)
            petition = services.register(
                case,
                services.PetitionInput(
                    form=form,
                    petitioner_name=name,
                    petitioner_phone=phone,
                    matter=matter,
                    addressed_to=addressed,
                    higher_level=higher,
                    received_on=received,
                    receiving_office=OFFICE,
                    co_petitioners=12 if "工资" in title else 0,
                ),
                actor=operator,
                today=today,
            )
            _walk(petition, stage, operator=operator, leader=leader, admin=admin, today=today)


def _walk(petition: Petition, stage: str, *, operator, leader, admin, today) -> None:
    decided = min(petition.received_on + timedelta(days=5), today)
    if stage == "refused":
        services.refuse(
            petition,
            actor=operator,
            reason="该事项已进入诉讼程序，依法不属于信访受理范围。",
            route="向人民法院提起诉讼",
            today=decided,
        )
        return
    if stage == "registered":
        return
    services.accept(petition, actor=operator, today=decided)
    if stage == "mediation":
        services.record_mediation_consent(petition, actor=operator)
        mediation.hand_over(
            petition.case,
            actor=admin,
            type_code="0202",
            source=Source.PETITION,
            other_side_consents=True,
            summary=petition.matter,
            parties=[
                mediation.PartyInput(
                    "applicant", petition.petitioner_name, petition.petitioner_phone
                ),
                mediation.PartyInput("respondent", "邻居", ""),
            ],
        )
        return
    if stage == "owned":
        services.take_ownership(petition, actor=leader)
        services.start(petition, actor=operator)
        services.log_contact(
            petition,
            actor=leader,
            kind="visit",
            held_on=decided + timedelta(days=2),
            place="小区换热站",
            said="与居民代表和供热公司现场测温，室温15.5度。",
            outcome="供热公司承诺一周内更换循环泵。",
            today=today,
        )
        services.extend(petition, actor=leader, days=30, reason="需待采暖季管网改造完成后复测。")
        return
    if stage == "replied":
        services.start(petition, actor=operator)
        services.reply(
            petition,
            actor=operator,
            opinion="经区人社局调查核实，责令施工单位于十日内足额支付拖欠工资。",
            today=today,
        )
