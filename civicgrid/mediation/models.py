"""The mediation centre (矛调中心): a dispute is a sidecar of a case, never a second record.

Everything that happens to a dispute is also a case event (``mediation.events``), so the
case's timeline is the dispute's history. The dispute's own states and moves are the
table in ``mediation.lifecycle``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import mask_name, mask_phone
from civicgrid.core.fields import user_field


class DisputeType(models.Model):
    """One node of the two-level coded dispute taxonomy (``data/dispute_types_2level.tsv``)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("dispute type")
        verbose_name_plural = _("dispute types")
        ordering = ["code"]

    def __str__(self) -> str:
        if self.parent:
            return f"{self.parent.name} / {self.name}"
        return self.name


class ResolutionMethod(models.Model):
    """A lawful route to resolve a dispute (``data/resolution_methods_15.txt``)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("resolution method")
        verbose_name_plural = _("resolution methods")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    CENTRE = "centre", _("mediation centre")
    TEAM = "team", _("centre specialist team")
    STREET = "street", _("street mediation committee")
    COMMUNITY = "community", _("community mediation committee")
    GRID_ROOM = "grid_room", _("grid mediation room")


class Organisation(models.Model):
    """A mediation organisation: the centre, its specialist teams, committees, grid rooms."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    speciality = models.CharField(_("speciality"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=120, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mediation organisation")
        verbose_name_plural = _("mediation organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    """A mediator of one organisation; the user account is optional (many have none)."""

    name = models.CharField(_("name"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediator_posts",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="mediators",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    speciality = models.CharField(_("speciality"), max_length=80, blank=True)
    languages = models.CharField(_("languages"), max_length=80, blank=True)
    available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation.name}）"


class Source(models.TextChoices):
    APPLICATION = "application", _("own application")
    SCREENING = "screening", _("grid screening (排查)")
    HOTLINE = "hotline", _("hotline")
    POLICE_110 = "police_110", _("110 police")
    PETITION = "petition", _("petition office (访调对接)")
    COURT_DELEGATED = "court_delegated", _("court, before filing (委派)")
    COURT_ENTRUSTED = "court_entrusted", _("court, after filing (委托)")
    GOVERNMENT = "government", _("government referral")


class DisputeState(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")
    MEDIATING = "mediating", _("in mediation")
    AGREED = "agreed", _("written agreement")
    AGREED_ORALLY = "agreed_orally", _("oral agreement")
    FAILED = "failed", _("mediation failed")
    CONFIRMING = "confirming", _("judicial confirmation applied for")
    CONFIRMED = "confirmed", _("judicially confirmed")
    NOTARISED = "notarised", _("agreement notarised")
    PERFORMED = "performed", _("agreement performed")
    REFERRED = "referred", _("referred (green channel)")
    CLOSED = "closed", _("closed")


# States in which the mediation clock runs.
RUNNING = (DisputeState.ACCEPTED, DisputeState.MEDIATING)
FINISHED = (DisputeState.REFUSED, DisputeState.CLOSED, DisputeState.REFERRED)


class Scale(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    GROUP = "group", _("ordinary group")
    MAJOR_GROUP = "major_group", _("major group")


class Level(models.TextChoices):
    GENERAL = "general", _("general (一般)")
    SERIOUS = "serious", _("serious (较大)")
    MAJOR = "major", _("major (重大)")
    GRAVE = "grave", _("especially grave (特别重大)")


class Colour(models.TextChoices):
    RED = "red", _("red: report to the leader now")
    ORANGE = "orange", _("orange: report the same day")
    YELLOW = "yellow", _("yellow: the grid worker on the spot")


class Refusal(models.TextChoices):
    """Why a dispute is not accepted (人民调解工作若干规定 §22 style)."""

    OTHER_AUTHORITY = "other_authority", _("the matter belongs exclusively to another authority")
    BEFORE_BODY = "before_body", _("already before a court, the police or an administrative body")
    SIDE_REFUSES = "side_refuses", _("one side refuses mediation")


class Court(models.TextChoices):
    NONE = "", _("not from a court")
    DELEGATED = "delegated", _("delegated before filing (委派)")
    ENTRUSTED = "entrusted", _("entrusted after filing (委托)")
    SIMPLIFIED = "simplified", _("entrusted, simplified procedure")


# The risk board's order: red, orange, yellow (an expression index serves it).
COLOUR_RANK = models.Case(
    models.When(colour="red", then=models.Value(0)),
    models.When(colour="orange", then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)
# Not on the risk board any more.
OFF_THE_BOARD = ("refused", "closed", "referred", "performed")


class Dispute(models.Model):
    """A dispute (矛盾纠纷) handed over to mediation: the sidecar of one case."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="dispute"
    )
    type = models.ForeignKey(
        DisputeType, verbose_name=_("dispute type"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    court = models.CharField(_("court procedure"), max_length=10, choices=Court.choices, blank=True)
    state = models.CharField(
        _("state"),
        max_length=14,
        choices=DisputeState.choices,
        default=DisputeState.REGISTERED,
        db_index=True,
    )
    version = models.PositiveIntegerField(default=0)
    summary = models.TextField(_("what the dispute is about"), blank=True)
    people_involved = models.PositiveIntegerField(_("people involved"), default=2)
    amount = models.DecimalField(
        _("amount involved (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    other_side_consents = models.BooleanField(_("the other side consents"), default=False)
    # Risk grading.
    scale = models.CharField(_("scale"), max_length=12, choices=Scale.choices)
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices)
    colour = models.CharField(_("warning colour"), max_length=8, choices=Colour.choices)
    # Who mediates.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    mediators = models.ManyToManyField(
        Mediator, verbose_name=_("mediators"), blank=True, related_name="disputes"
    )
    chosen_by_parties = models.BooleanField(_("chosen by the parties"), default=False)
    # Acceptance.
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    refusal = models.CharField(
        _("refused because"), max_length=16, choices=Refusal.choices, blank=True
    )
    routes = models.ManyToManyField(
        ResolutionMethod, verbose_name=_("lawful routes told"), blank=True, related_name="+"
    )
    # The mediation time limit.
    warn_at = models.DateTimeField(_("warn from"), null=True, blank=True)
    due_at = models.DateTimeField(_("mediate by"), null=True, blank=True, db_index=True)
    extended = models.BooleanField(_("extended once"), default=False)
    # Outcome.
    outcome_at = models.DateTimeField(_("outcome on"), null=True, blank=True)
    facts = models.TextField(_("facts"), blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    confirm_by = models.DateTimeField(
        _("apply for judicial confirmation by"), null=True, blank=True
    )
    confirmation_applied_at = models.DateTimeField(
        _("judicial confirmation applied for"), null=True, blank=True
    )
    # Set by the mediator at closing (statistics: 防止民转刑, 防止群体性上访).
    prevented_criminal = models.BooleanField(_("prevented from turning criminal"), default=False)
    prevented_group_petition = models.BooleanField(_("prevented a group petition"), default=False)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-registered_at"]
        indexes = [
            models.Index(fields=["colour", "state"], name="dispute_risk"),
            models.Index(fields=["accepted_at"], name="dispute_accepted"),
            # The risk board: open disputes in its order, read from the top.
            models.Index(
                COLOUR_RANK,
                "due_at",
                "confirm_by",
                models.F("registered_at").desc(),
                name="dispute_risk_board",
                condition=~models.Q(state__in=OFF_THE_BOARD),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.type}"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED


class Side(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    RESPONDENT = "respondent", _("respondent")


class PartyKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")


class Party(models.Model):
    """A side of a dispute; the contact is masked wherever shown and reads are audited."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="parties"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    kind = models.CharField(
        _("kind"), max_length=12, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    name = models.CharField(_("name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["side", "pk"]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        # An organisation's name is public; a person's is not.
        return self.name if self.kind == PartyKind.ORGANISATION else mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Session(models.Model):
    """One mediation session and its written record (调解笔录), signed by the parties."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_at = models.DateTimeField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    video = models.BooleanField(_("by video"), default=False)
    attendees = models.TextField(_("attendees"))
    record = models.TextField(_("written record (调解笔录)"))
    # The scan is a file of the case (checked like every attachment), on this session's event.
    signed_scan = models.ForeignKey(
        "cases.Attachment",
        verbose_name=_("signed scan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed = models.BooleanField(_("signed by the parties"), default=False)
    signed_by = user_field(_("signature recorded by"), optional=True)
    signed_at = models.DateTimeField(_("signature recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.held_at:%Y-%m-%d}"


class Obligation(models.Model):
    """One obligation of an agreement, with its performance date."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="obligations"
    )
    who = models.CharField(_("who"), max_length=80)
    what = models.TextField(_("what"))
    due_on = models.DateField(_("perform by"))
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    # Re-mediation replaces an agreement's obligations; the old ones stay, as history.
    superseded = models.BooleanField(_("replaced by a re-mediation"), default=False)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.who}: {self.what[:30]}"


# --- screening (排查) and statistics ---------------------------------------------------
# (Kept together at the end of the module: ``mediation.screening`` and
# ``mediation.statistics`` hold their rules.)


class SensitivePeriod(models.Model):
    """A period set by the centre (两会, 春节…) in which grids screen weekly, not monthly."""

    name = models.CharField(_("name"), max_length=60)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    created_by = user_field(_("set by"), optional=True)

    class Meta:
        verbose_name = _("sensitive period")
        verbose_name_plural = _("sensitive periods")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="sensitive_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start}–{self.end}"


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    WEEKLY = "weekly", _("weekly (sensitive period)")


class ScreeningReport(models.Model):
    """One grid's screening for one period: the disputes found, or a zero report (零报告)."""

    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    cadence = models.CharField(_("cadence"), max_length=8, choices=Cadence.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    zero = models.BooleanField(_("zero report"), default=False)
    note = models.TextField(_("note"), blank=True)
    filed_by = user_field(_("filed by"))
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)

    class Meta:
        verbose_name = _("screening report")
        verbose_name_plural = _("screening reports")
        ordering = ["-period_start", "grid"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "cadence", "period_start"], name="one_screening_per_grid_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.period_start}"


class ScreeningFinding(models.Model):
    """A dispute found by a screening: it became a case handed over to mediation."""

    report = models.ForeignKey(
        ScreeningReport,
        verbose_name=_("screening report"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    dispute = models.ForeignKey(
        Dispute,
        verbose_name=_("dispute"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("what was found"))

    class Meta:
        verbose_name = _("screening finding")
        verbose_name_plural = _("screening findings")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.summary[:40]


class MediationMonth(models.Model):
    """The monthly rollup the statistics read: counters of the disputes accepted in one
    month, per organisation, mediator, source and first-level type (``statistics.rebuild``).

    A dispute with several mediators counts once per mediator in the mediator rows and
    once in total (``mediator`` null rows are per organisation; ``lead`` says which)."""

    month = models.DateField(_("month"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    mediator = models.ForeignKey(
        Mediator,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    type = models.ForeignKey(
        DisputeType, verbose_name=_("dispute type"), on_delete=models.CASCADE, related_name="+"
    )
    accepted = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)
    oral = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    confirmations = models.PositiveIntegerField(default=0)
    # The court's rulings on those applications, and the notarisations instead.
    confirmed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    notarised = models.PositiveIntegerField(default=0)
    performed = models.PositiveIntegerField(default=0)
    prevented_criminal = models.PositiveIntegerField(default=0)
    prevented_petition = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mediation month")
        verbose_name_plural = _("mediation months")
        indexes = [
            # The organisation rows (no mediator) and the mediator rows, by month.
            models.Index(
                fields=["month", "organisation"],
                name="medmonth_org",
                condition=models.Q(mediator__isnull=True),
            ),
            models.Index(
                fields=["month", "mediator"],
                name="medmonth_mediator",
                condition=models.Q(mediator__isnull=False),
            ),
            # One organisation's months (its monthly statistics): its own rows only, not
            # its mediators' (the plain organisation index finds five times as many).
            models.Index(
                fields=["organisation", "month"],
                name="medmonth_org_month",
                condition=models.Q(mediator__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


# What happens after an agreement (confirmation, performance, callback, publication).
from .records import (  # noqa: E402, F401
    Callback,
    Confirmation,
    FollowUp,
    Publication,
    PublicationConsent,
)
