from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .calendar import available_years, calendar_changed, get_calendar, load_official_year
from .models import CalendarDay, CalendarYear, PersonalDataRead
from .paging import BoundedPaginator

# The admin carries the product's name, not "Django administration".
admin.site.site_header = settings.CIVICGRID_SITE_NAME
admin.site.site_title = settings.CIVICGRID_SITE_NAME


def calendar_gaps() -> list[int]:
    """This year and, from November on, next year, when their schedule is not loaded."""
    today = timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    calendar = get_calendar()
    return [y for y in years if not calendar.covers(y)]


class BoundedListAdmin(admin.ModelAdmin):
    """A changelist that never counts a whole table: the pages count up to
    ``paging.COUNT_BOUND`` rows, and a filtered list is not compared with the unfiltered
    total (Django's ``show_full_result_count``), so a table of millions of cases or
    events opens as fast as one of a thousand (docs/performance.md)."""

    paginator = BoundedPaginator
    show_full_result_count = False


class ReadOnlyAdmin(BoundedListAdmin):
    """Records written only by services: shown, never added, edited or deleted here.

    ``deletable = True`` keeps the delete button for records an admin may clear away.
    The lists count only up to a bound (``BoundedListAdmin``): these are the tables that
    grow with the cases.
    """

    deletable = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class CalendarWarningMixin:
    """Tells admins when deadlines fall back to plain weekends."""

    def changelist_view(self, request, extra_context=None):
        for year in calendar_gaps():
            self.message_user(
                request,
                _(
                    "The official holiday schedule for %(year)d is not loaded: deadlines in "
                    "%(year)d count only weekends as days off. Load it when it is published."
                )
                % {"year": year},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind", "date"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]
    actions = ["reload"]

    @admin.action(description=gettext_lazy("Reload from chinese-calendar and recompute deadlines"))
    def reload(self, request, queryset):
        known = set(available_years())
        years = [y.year for y in queryset if y.year in known]
        for year in years:
            load_official_year(year)
        changed = calendar_changed(years)
        self.message_user(
            request,
            ngettext(
                "%(n)d open case deadline recomputed.",
                "%(n)d open case deadlines recomputed.",
                changed,
            )
            % {"n": changed},
            messages.SUCCESS,
        )


@admin.register(PersonalDataRead)
class PersonalDataReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "subject", "field", "reason"]
    list_filter = ["field"]
    search_fields = ["subject", "user__username"]
