"""The records of a dispute after its agreement: judicial confirmation or notarisation,
the follow-up of each obligation, the callback to the parties, and the anonymised
publication with every party's consent (the services are in ``mediation.aftercare``).

The models live here to keep ``models.py`` about the dispute itself; ``models.py``
imports them, so Django and the migrations see them as models of the mediation app.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import Recorded, user_field


class ConfirmationKind(models.TextChoices):
    JUDICIAL = "judicial", _("judicial confirmation (司法确认)")
    NOTARIAL = "notarial", _("notarisation (公证)")


class Ruling(models.TextChoices):
    PENDING = "pending", _("waiting for the ruling")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class Confirmation(Recorded):
    """A joint application to the court for judicial confirmation and its ruling, or a
    notarisation of the agreement (the notary office, date and certificate number)."""

    dispute = models.ForeignKey(
        "mediation.Dispute",
        verbose_name=_("dispute"),
        on_delete=models.CASCADE,
        related_name="confirmations",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ConfirmationKind.choices)
    body = models.CharField(_("court or notary office"), max_length=120)
    applied_on = models.DateField(_("applied on"))
    ruling = models.CharField(
        _("ruling"), max_length=10, choices=Ruling.choices, default=Ruling.PENDING
    )
    ruled_on = models.DateField(_("ruled or notarised on"), null=True, blank=True)
    reference = models.CharField(_("ruling or certificate number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("confirmation of an agreement")
        verbose_name_plural = _("confirmations of agreements")
        ordering = ["applied_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.body}"


class FollowUpResult(models.TextChoices):
    PERFORMED = "performed", _("performed")
    PARTLY = "partly", _("partly performed")
    NOT_PERFORMED = "not_performed", _("not performed")


class FollowUp(Recorded):
    """What the follow-up of one obligation found on its date."""

    obligation = models.ForeignKey(
        "mediation.Obligation",
        verbose_name=_("obligation"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    result = models.CharField(_("result"), max_length=14, choices=FollowUpResult.choices)
    on = models.DateField(_("followed up on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("performance follow-up")
        verbose_name_plural = _("performance follow-ups")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.obligation_id} {self.on} {self.result}"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class Callback(Recorded):
    """A callback (回访) to a party after the agreement was performed."""

    dispute = models.ForeignKey(
        "mediation.Dispute",
        verbose_name=_("dispute"),
        on_delete=models.CASCADE,
        related_name="callbacks",
    )
    party = models.ForeignKey(
        "mediation.Party",
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="callbacks",
    )
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    on = models.DateField(_("called on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("mediation callback")
        verbose_name_plural = _("mediation callbacks")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.on} {self.satisfaction}"


class PublicationConsent(Recorded):
    """One party's answer to publishing the resolved dispute anonymised."""

    party = models.OneToOneField(
        "mediation.Party",
        verbose_name=_("party"),
        on_delete=models.CASCADE,
        related_name="publication_consent",
    )
    consented = models.BooleanField(_("consents to publication"))

    class Meta:
        verbose_name = _("consent to publication")
        verbose_name_plural = _("consents to publication")

    def __str__(self) -> str:
        return f"{self.party_id} {self.consented}"


class PublishedOutcome(models.TextChoices):
    PERFORMED = "performed", _("agreement performed")
    CONFIRMED = "judicial", _("judicially confirmed and performed")
    NOTARISED = "notarial", _("notarised and performed")


class Publication(models.Model):
    """A resolved dispute as the public reads it: a copy made when published, holding
    nothing but the type, the month, the district and street, the outcome and the
    callback satisfaction — no person, no number, no exact place."""

    dispute = models.OneToOneField(
        "mediation.Dispute",
        verbose_name=_("dispute"),
        on_delete=models.CASCADE,
        related_name="publication",
    )
    type_name = models.CharField(_("dispute type"), max_length=130)
    month = models.CharField(_("month resolved"), max_length=7, db_index=True)
    district = models.CharField(_("district"), max_length=60, blank=True)
    street = models.CharField(_("street"), max_length=60, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=PublishedOutcome.choices)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = user_field(_("published by"))

    class Meta:
        verbose_name = _("published dispute")
        verbose_name_plural = _("published disputes")
        ordering = ["-month", "-pk"]

    def __str__(self) -> str:
        return f"{self.month} {self.type_name}"
