"""
The sitemap: the listing, each year and each published meeting, in both
languages, each URL with its alternates and the date of its last change.

``/sitemap.xml`` is an index of sections (``/sitemap-meetings.xml?p=2``),
each of at most 10,000 addresses (the protocol allows 50,000). Both are kept in the cache
under the archive's revision, so that a change is never served stale: at
hundreds of thousands of recommendations a sitemap took seconds.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.db.models import Max
from django.db.models.functions import ExtractYear
from django.http import HttpResponse
from django.urls import reverse

from meetings.conditional import conditional_page
from meetings.models import Meeting

logger = logging.getLogger(__name__)

# The protocol allows 50,000 addresses a file. A page of 10,000 is built in
# well under a request's time limit, even at tens of thousands of meetings.
# (With i18n, Django pages through (item, language) pairs: one address each.)
MAX_URLS = 50_000
URLS_PER_PAGE = 10_000


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = URLS_PER_PAGE

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


class LanguagePairs:
    """
    The (meeting, language) pairs that Django's i18n sitemap pages through,
    counted and sliced in SQL.

    Django builds the list of every pair before it takes a page of them: at
    tens of thousands of meetings, that alone took most of a request's time.
    """

    def __init__(self, queryset, languages):
        self.queryset = queryset
        self.languages = languages

    def count(self):
        return self.queryset.count() * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, pairs):
        width = len(self.languages)
        first = pairs.start // width
        items = self.queryset[first : -(-pairs.stop // width)]
        listed = [(item, code) for item in items for code in self.languages]
        skip = pairs.start - first * width
        return listed[skip : skip + pairs.stop - pairs.start]


class MeetingSitemap(BilingualSitemap):
    changefreq = "yearly"

    def _items(self):
        # Django's own builds every (item, language) pair in memory; see LanguagePairs.
        return LanguagePairs(self.items(), self._languages())

    def items(self):
        # Only what an address and its date need: the texts are most of a meeting's row.
        fields = ["pk", "date", "modified_at", *(f"slug_{code}" for code, _name in settings.LANGUAGES)]
        return Meeting.objects.published().order_by("-date", "-pk").only(*fields)

    def lastmod(self, meeting):
        return meeting.modified_at

    def get_latest_lastmod(self):
        # For the index: one aggregate, instead of Django's walk through every meeting.
        return Meeting.objects.published().aggregate(latest=Max("modified_at"))["latest"]


SITEMAPS = {"listing": ListingSitemap, "years": YearSitemap, "meetings": MeetingSitemap}


# Caching


def cached(view):
    """
    Serve ``view``'s answer from the cache (shared by every instance when it is
    Redis) until the archive changes.

    The key holds the archive's revision, which every change moves in its own
    transaction (``ArchiveRevision``): a change is seen at once by every
    instance, even one whose cache was unreachable when it was made, and a
    cache that cannot be reached only means building the sitemap again.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        key = f"sitemap:{request.archive_revision.number}:{request.get_full_path()}"
        try:
            hit = cache.get(key)
        except Exception:
            logger.warning("sitemap not cached: the cache is unavailable", exc_info=True)
            return view(request, *args, **kwargs)
        if hit is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            response.render()
            hit = (response.content, response["Content-Type"])
            try:
                cache.set(key, hit, settings.SITEMAP_CACHE_SECONDS)
            except Exception:
                logger.warning("sitemap not cached: the cache is unavailable", exc_info=True)
        content, content_type = hit
        return HttpResponse(content, content_type=content_type)

    return cached_view


index = conditional_page()(cached(sitemap_views.index))
section = conditional_page()(cached(sitemap_views.sitemap))
