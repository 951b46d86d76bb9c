"""Public pages: browse meetings by date, read one, search recommendations."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.generic.dates import ArchiveIndexView, YearArchiveView

from .models import Meeting
from .search import SearchForm, search_recommendations


def choose_language(request):
    """Send ``/`` to the visitor's language, French when neither is preferred."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = redirect("meetings:index")
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def language_home(request):
    return redirect("meetings:index")


class MeetingArchiveMixin:
    """What the listing and the year pages share."""

    model = Meeting
    date_field = "date"
    allow_future = True
    paginate_by = 20

    def get_queryset(self):
        return Meeting.objects.published().with_counts()

    def get_years(self):
        return Meeting.objects.published().dates("date", "year", order="DESC")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["years"] = self.get_years()
        context["date_modified"] = Meeting.objects.published().last_modified()
        return context


class MeetingIndexView(MeetingArchiveMixin, ArchiveIndexView):
    """Every published meeting, newest first, a page at a time, grouped by year."""

    template_name = "meetings/meeting_index.html"
    allow_empty = True
    date_list_period = "year"

    def get_years(self):
        # ArchiveIndexView has already listed the years, newest first.
        return self.date_list


class MeetingYearView(MeetingArchiveMixin, YearArchiveView):
    """The meetings of one year."""

    template_name = "meetings/meeting_year.html"
    make_object_list = True
    allow_empty = False
    paginate_by = 50

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The page lists meetings, not months: skip the query for the months.
        return []

    # The year navigation already links every year: skip the two queries
    # for the previous and next ones.
    def get_next_year(self, date):
        return None

    def get_previous_year(self, date):
        return None


def meeting_detail(request, date, slug):
    """
    One meeting with its themes and recommendations.

    A URL with the other language's slug, a former slug, or a wrong slug on
    the right date (when only one meeting was held that day) is redirected
    permanently to the canonical URL, so that shared links never break.
    """
    language = translation.get_language()
    candidates = list(Meeting.objects.published().filter(date=date).select_related("committee"))
    meeting = next((m for m in candidates if getattr(m, f"slug_{language}") == slug), None)
    if meeting is None:
        target = _find_moved_meeting(candidates, slug)
        if target is None or target.get_absolute_url(language) == request.path:
            raise Http404("No meeting at this address.")
        return redirect(target.get_absolute_url(language), permanent=True)
    meeting = Meeting.objects.with_contents().get(pk=meeting.pk)
    neighbours = Meeting.objects.published()
    context = {
        "meeting": meeting,
        "committee": meeting.committee,
        "previous_meeting": neighbours.filter(date__lt=meeting.date).order_by("-date").first(),
        "next_meeting": neighbours.filter(date__gt=meeting.date).order_by("date").first(),
        "date_modified": meeting.modified_at,
        "alternates": {code: meeting.get_absolute_url(code) for code, _name in settings.LANGUAGES},
    }
    return render(request, "meetings/meeting_detail.html", context)


def _find_moved_meeting(candidates, slug):
    for meeting in candidates:
        if slug in (meeting.slug_fr, meeting.slug_en):
            return meeting
    moved = [m for m in candidates if m.old_slugs.filter(slug=slug).exists()]
    if len(moved) == 1:
        return moved[0]
    if len(candidates) == 1:
        return candidates[0]
    return None


def search(request):
    form = SearchForm(request.GET or None)
    date_modified = Meeting.objects.published().last_modified()
    context = {"form": form, "results": None, "date_modified": date_modified}
    if form.is_bound and not form.is_valid():
        return render(request, "meetings/search.html", context, status=400)
    if form.is_bound and form.cleaned_data["q"]:
        context["results"] = search_recommendations(
            form.cleaned_data["q"], translation.get_language(), **form.search_options()
        )
    return render(request, "meetings/search.html", context)


def about(request):
    """Who publishes the archive, where its text comes from, and how to report a problem."""
    context = {
        "publisher": settings.ARCHIVE_PUBLISHER,
        "contact_email": settings.ARCHIVE_CONTACT_EMAIL,
        "source_url": settings.ARCHIVE_SOURCE_URL,
    }
    return render(request, "meetings/about.html", context)


# The page links the icon by its hashed static name, cached for a year; this
# address has no version in it, so a changed icon must reach readers within a month.
@cache_control(public=True, max_age=30 * 24 * 60 * 60)
def favicon(request):
    """``/favicon.ico``, which browsers and crawlers ask for whatever a page links."""
    return FileResponse(
        (settings.BASE_DIR / "static" / "favicon.ico").open("rb"), content_type="image/vnd.microsoft.icon"
    )


def page_not_found(request, exception):
    # The toggle cannot translate an address that leads nowhere: offer the
    # listing in the other language instead.
    alternates = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            alternates[code] = reverse("meetings:index")
    return render(request, "404.html", {"alternates": alternates}, status=404)
