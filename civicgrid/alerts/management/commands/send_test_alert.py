"""``civicgrid send-test-alert <slug>``: sign and POST a realistic sample to a server."""

import json
import random

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicgrid.alerts.client import post_alert
from civicgrid.alerts.models import AlertSource
from civicgrid.alerts.samples import sample
from civicgrid.regions.models import Level, Region


class Command(BaseCommand):
    help = (
        "Send a signed sample alert of a source (read from this database) to a running "
        "server, e.g. the demo. --repeat sends copies with new delivery ids, which the "
        "server merges into one case."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help=_("the server"))
        parser.add_argument(
            "--type", dest="alert_type", default="", help=_("alert type, e.g. street_vending")
        )
        parser.add_argument("--lng", type=float, help=_("longitude (WGS84)"))
        parser.add_argument("--lat", type=float, help=_("latitude (WGS84)"))
        parser.add_argument("--repeat", type=int, default=1, help=_("send this many copies"))
        parser.add_argument(
            "--set", dest="fields", nargs="*", default=[], help=_("field=JSON value overrides")
        )
        parser.add_argument("--seed", type=int)

    def handle(self, *args, slug, url, alert_type, lng, lat, repeat, fields, seed, **options):
        source = AlertSource.objects.filter(slug=slug).first()
        if source is None:
            raise CommandError(_("There is no alert source “%(slug)s”.") % {"slug": slug})
        rng = random.Random(seed)
        if lng is None or lat is None:
            lng, lat = self._somewhere_in(source.region, rng)
        payload = sample(source.kind, alert_type, lng=lng, lat=lat, rng=rng, **_overrides(fields))
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        for _copy in range(max(repeat, 1)):
            try:
                status, answer = post_alert(url, slug, source.secret, payload)
            except OSError as exc:
                message = _("Could not reach %(url)s: %(e)s") % {"url": url, "e": exc}
                raise CommandError(message) from exc
            self.stdout.write(f"{status} {json.dumps(answer, ensure_ascii=False)}")

    def _somewhere_in(self, region, rng) -> tuple[float, float]:
        grids = Region.objects.filter(
            level=Level.GRID, path__startswith=region.path, centroid_lng__isnull=False
        ).values_list("centroid_lng", "centroid_lat")
        points = list(grids[:2000])
        if not points:
            raise CommandError(_("The source's region has no grids: give --lng and --lat."))
        return rng.choice(points)


def _overrides(pairs: list[str]) -> dict:
    found = {}
    for pair in pairs:
        name, _sep, value = pair.partition("=")
        try:
            found[name] = json.loads(value)
        except ValueError:
            found[name] = value
    return found
