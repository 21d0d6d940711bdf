"""The demo mediation centre of 东营区: the centre, three specialist teams, the street
committees, a few grid mediation rooms, their mediators and a dozen disputes at every
stage (walked through ``mediation.services`` as the staff would).

The demo ``mediator`` account mediates for the construction/property team, ``official``
for the first street's committee. Names of parties are invented.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases import services as cases
from civicgrid.mediation import aftercare, services
from civicgrid.mediation.models import (
    Dispute,
    Mediator,
    Organisation,
    OrganisationKind,
    Refusal,
    ResolutionMethod,
    Source,
)
from civicgrid.mediation.records import FollowUpResult, Ruling, Satisfaction
from civicgrid.mediation.taxonomy import load_taxonomies
from civicgrid.regions.models import Level, Region

CENTRE = "东营区矛盾纠纷多元化解中心"
TEAMS = [
    ("农林水利专业调解委员会", "农业、林业、水利纠纷"),
    ("建设物业专业调解委员会", "建设工程、物业服务纠纷"),
    ("劳动社保专业调解委员会", "劳动争议、社会保障纠纷"),
]
GRID_ROOMS = 3

# (title, type, source, people, amount, stage, applicant, respondent)
DISPUTES = [
    ("邻居装修堵塞排水管", "0201", Source.SCREENING, 2, None, "registered", "赵大明", "钱小红"),
    ("楼上漏水损坏吊顶", "0401", Source.HOTLINE, 2, 3500, "accepted", "孙立", "李梅"),
    (
        "小区物业费争议",
        "0402",
        Source.APPLICATION,
        60,
        None,
        "mediating",
        "业主代表周强",
        "某物业公司",
    ),
    ("农民工讨要工资", "0701", Source.POLICE_110, 120, 360000, "mediating", "吴建国", "某建筑公司"),
    ("赡养老人费用分担", "0102", Source.PETITION, 4, 12000, "agreed", "郑秀英", "郑志强"),
    ("宅基地边界争议", "0202", Source.GOVERNMENT, 2, None, "agreed_orally", "冯国庆", "陈德胜"),
    ("租房押金不退", "0499", Source.COURT_DELEGATED, 2, 4000, "failed", "褚明", "卫东"),
    ("合同欠款纠纷", "0599", Source.COURT_ENTRUSTED, 2, 80000, "confirming", "蒋华", "沈阳"),
    ("交通事故赔偿", "0303", Source.HOTLINE, 3, 25000, "performed", "韩磊", "杨帆"),
    ("土地承包纠纷", "0499", Source.SCREENING, 600, None, "registered", "朱村民代表", "某合作社"),
    ("已起诉的借款纠纷", "0599", Source.APPLICATION, 2, 50000, "refused", "秦川", "尤勇"),
    ("噪音扰民", "0203", Source.HOTLINE, 8, None, "closed", "许静", "何平"),
    # After the agreement (mediation.aftercare).
    ("拖欠货款纠纷", "0599", Source.APPLICATION, 2, 20000, "countdown", "吕方", "施工"),
    ("邻里漏水赔偿", "0401", Source.HOTLINE, 2, 6000, "confirmed", "张伟", "孔亮"),
    ("装修款争议", "0402", Source.APPLICATION, 2, 30000, "notarised", "曹阳", "严宽"),
    ("宠物伤人赔偿", "0303", Source.HOTLINE, 2, 3000, "called_back", "华清", "金玉"),
    ("共用楼道堆物", "0201", Source.SCREENING, 6, None, "published", "魏强", "陶然"),
    ("拆迁补偿分配", "0102", Source.PETITION, 5, 90000, "remediated", "姜红", "戚明"),
]
FLOW = {
    "registered": [],
    "refused": ["refuse"],
    "accepted": ["accept"],
    "mediating": ["accept", "session"],
    "agreed": ["accept", "session", "session", "agree"],
    "agreed_orally": ["accept", "session", "agree_orally"],
    "failed": ["accept", "session", "fail"],
    "confirming": ["accept", "session", "agree", "apply_confirmation"],
    "performed": ["accept", "session", "agree_orally", "perform"],
    "closed": ["accept", "session", "agree_orally", "perform", "close"],
    # Agreed 25 days ago, its obligation's date past without a follow-up: 5 days left
    # to apply for judicial confirmation (orange) and a follow-up overdue.
    "countdown": ["accept", "session", "agree_25_days_ago"],
    "confirmed": ["accept", "session", "agree", "apply_court", "ruling"],
    "notarised": ["accept", "session", "agree", "notarise"],
    "called_back": ["accept", "session", "agree", "follow_up", "perform", "callback"],
    "published": ["accept", "session", "agree", "follow_up", "perform", "callback", "publish"],
    "remediated": ["accept", "session", "agree", "not_performed", "remediate", "session"],
}


def load_demo(district_code: str) -> None:
    """The registry and the disputes; nothing is added when the centre exists."""
    load_taxonomies()
    if Organisation.objects.filter(name=CENTRE).exists():
        return
    district = Region.objects.filter(code=district_code).first()
    if district is None:
        return
    with transaction.atomic():
        teams = _registry(district)
        _disputes(district, teams)


def _registry(district: Region) -> list[Organisation]:
    users = {u.username: u for u in User.objects.filter(username__in=["mediator", "official"])}
    centre = Organisation.objects.create(
        name=CENTRE, kind=OrganisationKind.CENTRE, region=district, address="东营区府前大街"
    )
    Mediator.objects.create(name="中心值班调解员", organisation=centre, region=district)
    teams = []
    for i, (name, speciality) in enumerate(TEAMS):
        team = Organisation.objects.create(
            name=name, kind=OrganisationKind.TEAM, region=district, speciality=speciality
        )
        teams.append(team)
        Mediator.objects.create(
            name=f"{name[:2]}首席调解员",
            organisation=team,
            region=district,
            speciality=speciality,
            languages="普通话、东营话",
            user=users.get("mediator") if i == 1 else None,
        )
        Mediator.objects.create(
            name=f"{name[:2]}调解员", organisation=team, region=district, speciality=speciality
        )
    streets = list(district.children.filter(level=Level.STREET).order_by("code"))
    for i, street in enumerate(streets):
        committee = Organisation.objects.create(
            name=f"{street.name}人民调解委员会", kind=OrganisationKind.STREET, region=street
        )
        Mediator.objects.create(
            name=f"{street.name[:2]}调解员",
            organisation=committee,
            region=street,
            user=users.get("official") if i == 0 else None,
        )
    grids = Region.objects.filter(level=Level.GRID, path__startswith=district.path).order_by(
        "code"
    )[:GRID_ROOMS]
    for grid in grids:
        room = Organisation.objects.create(
            name=f"{grid.name}网格调解室", kind=OrganisationKind.GRID_ROOM, region=grid
        )
        Mediator.objects.create(name=f"{grid.name[:4]}网格员", organisation=room, region=grid)
    return teams


def _disputes(district: Region, teams: list[Organisation]) -> None:
    admin = User.objects.filter(username="admin").first()
    operator = User.objects.filter(username="operator").first() or admin
    if admin is None:
        return
    grids = list(
        Region.objects.filter(level=Level.GRID, path__startswith=district.path).order_by("code")[
            :12
        ]
    )
    routes = list(ResolutionMethod.objects.filter(name__in=["诉讼", "仲裁调解", "行政复议"]))
    now = timezone.now()
    for i, (title, type_code, source, people, amount, stage, applicant, respondent) in enumerate(
        DISPUTES
    ):
        grid = grids[i % len(grids)] if grids else None
        case = cases.register_case(
            cases.Intake(
                channel="grid_patrol" if source == Source.SCREENING else "walk_in",
                title=title,
                content=f"{applicant}与{respondent}：{title}，申请调解。",
                lng=grid.centroid_lng if grid else None,
                lat=grid.centroid_lat if grid else None,
                reporter_name=applicant,
                reporter_phone=f"1390000{i:04d}",
            ),
            actor=operator,
        )
        dispute = services.hand_over(
            case,
            actor=admin,
            type_code=type_code,
            source=source,
            people_involved=people,
            amount=amount,
            other_side_consents=stage != "refused",
            parties=[
                services.PartyInput("applicant", applicant, f"1390000{i:04d}"),
                services.PartyInput(
                    "respondent",
                    respondent,
                    "" if "公司" in respondent else f"1380000{i:04d}",
                    "organisation" if "公司" in respondent or "合作社" in respondent else "person",
                ),
            ],
        )
        team = teams[i % len(teams)]
        services.assign(
            dispute, actor=admin, organisation=team, mediators=list(team.mediators.all()[:1])
        )
        _walk(dispute, FLOW[stage], admin, routes, now - timedelta(days=2))


def _walk(dispute: Dispute, steps: list[str], admin, routes, held_at) -> None:
    for step in steps:
        if step == "refuse":
            services.refuse(
                dispute, actor=admin, reason=Refusal.BEFORE_BODY, routes=[r.pk for r in routes]
            )
        elif step == "accept":
            services.accept(dispute, actor=admin, now=held_at - timedelta(days=1))
        elif step == "session":
            services.add_session(
                dispute,
                actor=admin,
                held_at=held_at,
                place="调解室",
                attendees="双方当事人、调解员",
                record="双方陈述事实与诉求，调解员释法说理。",
                signed=True,
            )
        elif step == "agree":
            services.agree(
                dispute,
                actor=admin,
                facts="双方对事实无异议。",
                obligations=[
                    services.ObligationInput(
                        "被申请人", "支付约定款项", timezone.localdate() + timedelta(days=15)
                    )
                ],
                signed=True,
            )
        elif step == "agree_orally":
            services.agree_orally(dispute, actor=admin, facts="双方口头同意互谅互让。")
        elif step == "fail":
            services.fail(
                dispute, actor=admin, reason="双方分歧较大。", routes=[r.pk for r in routes]
            )
        elif step == "apply_confirmation":
            services.apply_confirmation(dispute, actor=admin)
        elif step == "perform":
            services.perform(dispute, actor=admin)
        elif step == "close":
            services.close(dispute, actor=admin)
        else:
            _after(dispute, step, admin)


def _after(dispute: Dispute, step: str, admin) -> None:
    """The steps after the agreement (``mediation.aftercare``)."""
    today = timezone.localdate()
    if step == "agree_25_days_ago":
        agreed = timezone.now() - timedelta(days=25)
        services.agree(
            dispute,
            actor=admin,
            facts="双方确认欠款金额无异议。",
            obligations=[
                services.ObligationInput(
                    "被申请人", "分两期支付货款", timezone.localdate(agreed) + timedelta(days=20)
                )
            ],
            signed=True,
            now=agreed,
        )
    elif step == "apply_court":
        aftercare.apply_for_confirmation(
            dispute, actor=admin, court="东营区人民法院", applied_on=today
        )
    elif step == "ruling":
        aftercare.record_ruling(
            dispute,
            actor=admin,
            ruling=Ruling.CONFIRMED,
            ruled_on=today,
            reference=f"（{today.year}）鲁0502民特{dispute.pk}号",
        )
    elif step == "notarise":
        aftercare.notarise(
            dispute,
            actor=admin,
            office="山东省东营市东营公证处",
            notarised_on=today,
            certificate=f"（{today.year}）鲁东营证字第{dispute.pk}号",
        )
    elif step in ("follow_up", "not_performed"):
        performed = step == "follow_up"
        for obligation in dispute.obligations.filter(superseded=False):
            aftercare.follow_up(
                obligation,
                actor=admin,
                result=FollowUpResult.PERFORMED if performed else FollowUpResult.NOT_PERFORMED,
                on=today,
                note="" if performed else "被申请人称暂无能力支付。",
            )
    elif step == "callback":
        aftercare.call_back(
            dispute, actor=admin, satisfaction=Satisfaction.SATISFIED, on=today, note="双方满意。"
        )
    elif step == "publish":
        for party in dispute.parties.all():
            aftercare.record_publication_consent(party, actor=admin, consented=True)
        aftercare.publish(dispute, actor=admin)
    elif step == "remediate":
        aftercare.remediate(dispute, actor=admin, reason="协议未履行，双方同意再次调解。")
