"""The notification list, marking read, the unread badge htmx polls, and preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.cases.models import mask_phone
from civicgrid.core.paging import BoundedPaginator

from . import services
from .forms import PreferenceForm
from .models import Notification
from .services import unread_count

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list(request):
    # Shown from the case and event in the reader's language; the stored message is
    # the text for channels without one (SMS, e-mail).
    notices = Notification.objects.filter(recipient=request.user).select_related("case", "event")
    if request.GET.get("show") == "unread":
        notices = notices.filter(read_at__isnull=True)
    page = BoundedPaginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "show": request.GET.get("show", "all"),
            "notifications_unread": unread_count(request.user),
        },
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    """Mark one notice read and go where it points (its case by default)."""
    notice = get_object_or_404(
        Notification.objects.select_related("case"), pk=pk, recipient=request.user
    )
    services.mark_read(request.user, notice.pk)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("cases:detail", args=[notice.case.number])
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(request.user)
    return redirect("notifications:list")


@login_required
@require_GET
def badge(request):
    """The unread count alone, swapped into the header every minute by htmx."""
    return render(
        request, "notifications/partials/_badge.html", {"unread": unread_count(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Which outside channels the signed-in user gets notices on."""
    user = request.user
    current = services.preference_of(user)
    initial = {"by_email": current.by_email, "by_sms": current.by_sms}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "email": user.email, "masked_phone": mask_phone(user.phone)},
        status=400 if form.errors else 200,
    )
