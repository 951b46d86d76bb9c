"""
The sitemap: the listing, each year and each published meeting, in both
languages, each URL with its alternates and the date of its last change.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import ExtractYear
from django.urls import reverse

from meetings.models import Meeting


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def get_urls(self, page=1, site=None, protocol=None):
        # Django writes the x-default address without the language prefix,
        # as if the default language had none. Ours has one
        # (prefix_default_language=True), so x-default is the French page,
        # as in each page's own <link hreflang="x-default">.
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            default = next(a for a in url["alternates"] if a["lang_code"] == settings.LANGUAGE_CODE)
            for alternate in url["alternates"]:
                if alternate["lang_code"] == "x-default":
                    alternate["location"] = default["location"]
        return urls


class ListingSitemap(BilingualSitemap):
    changefreq = "monthly"

    def items(self):
        return [Meeting.objects.published().last_modified()]

    def location(self, latest):
        return reverse("meetings:index")

    def lastmod(self, latest):
        return latest


class YearSitemap(BilingualSitemap):
    changefreq = "yearly"

    def items(self):
        # (year, last change to any meeting of that year)
        return list(
            Meeting.objects.published()
            .annotate(year=ExtractYear("date"))
            .order_by("-year")
            .values_list("year")
            .annotate(latest=Max("modified_at"))
        )

    def location(self, item):
        return reverse("meetings:year", args=[item[0]])

    def lastmod(self, item):
        return item[1]


class MeetingSitemap(BilingualSitemap):
    changefreq = "yearly"

    def items(self):
        return Meeting.objects.published().order_by("-date", "-pk")

    def lastmod(self, meeting):
        return meeting.modified_at


SITEMAPS = {"listing": ListingSitemap, "years": YearSitemap, "meetings": MeetingSitemap}
