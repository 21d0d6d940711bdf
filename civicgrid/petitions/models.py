"""Petitions (信访事项) at the centre's window: a petition is a sidecar of a case.

Like a dispute in mediation, the case stays the one record: everything that happens to
a petition is a case event (``petitions.events``), the petition's own states and moves
are the table in ``petitions.lifecycle``. The time limits are those of the 信访工作条例
(2022), counted in calendar days (docs/petitions.md).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import mask_name, mask_phone
from civicgrid.core.fields import user_field


class Form(models.TextChoices):
    LETTER = "letter", _("letter (来信)")
    VISIT = "visit", _("visit (来访)")
    ONLINE = "online", _("online (网上信访)")
    VIDEO = "video", _("video visit (视频信访)")


class Addressed(models.TextChoices):
    """The level of government the petition was addressed to."""

    STREET = "street", _("street / township")
    DISTRICT = "district", _("district / county")
    CITY = "city", _("city")
    PROVINCE = "province", _("province")
    CENTRAL = "central", _("central")


class PetitionState(models.TextChoices):
    REGISTERED = "registered", _("registered, acceptance to decide")
    ACCEPTED = "accepted", _("accepted")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    HANDLING = "handling", _("being handled")
    REPLIED = "replied", _("handling opinion given")
    REVIEWING = "reviewing", _("review requested (复查)")
    REVIEWED = "reviewed", _("review opinion given")
    CLOSED = "closed", _("closed")


# States in which the 60-day handling clock runs.
HANDLING_STATES = (PetitionState.ACCEPTED, PetitionState.HANDLING)
OPEN_STATES = (PetitionState.REGISTERED, *HANDLING_STATES)


class Petition(models.Model):
    """A petition (信访事项) registered on one case."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="petition"
    )
    form = models.CharField(_("form of petition"), max_length=8, choices=Form.choices)
    state = models.CharField(
        _("petition state"),
        max_length=14,
        choices=PetitionState.choices,
        default=PetitionState.REGISTERED,
        db_index=True,
    )
    version = models.PositiveIntegerField(default=0)
    # The petitioner: masked wherever shown, reads audited (services.reveal_petitioner).
    petitioner_name = models.CharField(_("petitioner"), max_length=50)
    petitioner_phone = models.CharField(_("petitioner phone"), max_length=20, blank=True)
    petitioner_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    co_petitioners = models.PositiveIntegerField(_("co-petitioners"), default=0)
    # A keyed hash (HMAC) of the normalised name and ID number or phone: repeat petitions
    # of the same person are found without reading anyone's data.
    identity_hash = models.CharField(max_length=64, db_index=True, editable=False)
    matter = models.TextField(_("the matter petitioned"))
    addressed_to = models.CharField(_("level addressed"), max_length=10, choices=Addressed.choices)
    higher_level = models.BooleanField(_("to a higher level (越级)"), default=False, db_index=True)
    received_on = models.DateField(_("received on"))
    receiving_office = models.CharField(_("receiving office"), max_length=80)
    # Repeat detection: the first petition of the same person about the same matter.
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat petition of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    repeat_count = models.PositiveIntegerField(_("earlier petitions on this matter"), default=0)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Acceptance (受理告知): decided within 15 days of receipt.
    decide_by = models.DateField(_("decide on acceptance by"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = user_field(_("decided by"), optional=True)
    refusal_reason = models.TextField(_("not accepted because"), blank=True)
    lawful_route = models.TextField(_("lawful route told"), blank=True)
    # Handling: within 60 days of acceptance, extendable once by up to 30 days.
    due_on = models.DateField(_("handle by"), null=True, blank=True, db_index=True)
    extended_days = models.PositiveSmallIntegerField(_("extended by (days)"), default=0)
    extension_reason = models.TextField(_("why extended"), blank=True)
    extended_by = user_field(_("extended by"), optional=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    # The handling opinion (处理意见), told in writing.
    opinion = models.TextField(_("handling opinion"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    # Review (复查): asked within 30 days of the opinion, answered within 30 days.
    review_requested_on = models.DateField(_("review requested on"), null=True, blank=True)
    review_due_on = models.DateField(_("review by"), null=True, blank=True)
    review_opinion = models.TextField(_("review opinion"), blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # 访调对接: the petitioner consents to mediation of a civil dispute.
    mediation_consent_at = models.DateTimeField(
        _("petitioner consented to mediation"), null=True, blank=True
    )
    mediation_consent_by = user_field(_("consent recorded by"), optional=True)
    # 领导包案: one leader owns the petition.
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owning leader (包案)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_petitions",
    )
    leader_since = models.DateTimeField(_("owned since"), null=True, blank=True)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["identity_hash", "received_on"], name="petition_repeat")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_form_display()}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.petitioner_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.petitioner_phone)

    @property
    def masked_id_number(self) -> str:
        number = self.petitioner_id_number
        if len(number) < 8:
            return "*" * len(number)
        return number[:4] + "*" * (len(number) - 8) + number[-4:]

    @property
    def is_repeat(self) -> bool:
        return self.repeat_of_id is not None


class ContactKind(models.TextChoices):
    RECEPTION = "reception", _("reception (接访)")
    VISIT = "visit", _("visit to the petitioner (下访)")


class LeaderContact(models.Model):
    """A reception or a visit by the owning leader: when, where, what was said, outcome."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120)
    said = models.TextField(_("what was said"))
    outcome = models.TextField(_("outcome"))
    leader = user_field(_("leader"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("leader reception or visit")
        verbose_name_plural = _("leader receptions and visits")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"
