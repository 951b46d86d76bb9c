"""Public pages: browse meetings by date, read one, search recommendations."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.generic.dates import ArchiveIndexView, YearArchiveView
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from .conditional import conditional_page
from .languages import urls_in_each_language
from .models import Meeting, Recommendation, Subject
from .search.engine import search_recommendations
from .search.forms import SearchForm
from .search.text import unaccent


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


@conditional_page()
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
        "alternates": {code: meeting.get_absolute_url(code) for code in AVAILABLE_LANGUAGES},
        "meeting_subjects": meeting_subjects(meeting),
    }
    return render(request, "meetings/meeting_detail.html", context)


def meeting_subjects(meeting):
    """The subjects of a meeting's recommendations (already fetched), each once, by name."""
    subjects = {
        subject
        for theme in meeting.themes.all()
        for recommendation in theme.recommendations.all()
        for subject in recommendation.subjects.all()
    }
    return sorted(subjects, key=lambda subject: collation_key(subject.name))


def _find_moved_meeting(candidates, slug):
    slug_fields = [build_localized_fieldname("slug", code) for code in AVAILABLE_LANGUAGES]
    for meeting in candidates:
        if slug in [getattr(meeting, field) for field in slug_fields]:
            return meeting
    moved = [m for m in candidates if m.old_slugs.filter(slug=slug).exists()]
    if len(moved) == 1:
        return moved[0]
    if len(candidates) == 1:
        return candidates[0]
    return None


@conditional_page("search")
def search(request):
    form = SearchForm(request.GET or None)
    date_modified = Meeting.objects.published().last_modified()
    context = {"form": form, "results": None, "date_modified": date_modified}
    if form.is_bound and not form.is_valid():
        return render(request, "meetings/search.html", context, status=400)
    if form.is_bound and form.cleaned_data["q"]:
        language = translation.get_language()
        results = search_recommendations(form.cleaned_data["q"], language, **form.search_options())
        context["results"] = results
        context.update(other_language_context(request, language))
        # The addresses of the facets, made here: a {% querystring %} for each
        # of some fifty facets cost a few milliseconds a page.
        by_year, by_meeting = narrowed(request.GET, "year"), narrowed(request.GET, "meeting")
        context["year_facets"] = [(year, count, by_year(year)) for year, count in results.years]
        context["meeting_facets"] = [
            (meeting, count, by_meeting(meeting.pk)) for meeting, count in results.meetings
        ]
    return render(request, "meetings/search.html", context)


def narrowed(query, name):
    """A function of a value: the address of this search with ``name`` set to it, on its first page.

    The same as ``{% querystring name=value page=None %}``: the other
    parameters keep their order, and ``name`` its place, or comes last.
    """
    keys = [key for key in query if key != "page"]
    place = keys.index(name) if name in keys else len(keys)

    def encoded(keys):
        return urlencode([(key, value) for key in keys for value in query.getlist(key)])

    before, after = encoded(keys[:place]), encoded(keys[place + 1 :])

    def address(value):
        return "?" + "&".join(part for part in (before, urlencode({name: value}), after) if part)

    return address


@conditional_page()
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


def other_language_context(request, language):
    """The other language, and this search on its page: where hits found through its text read best."""
    other = next(code for code in AVAILABLE_LANGUAGES if code != language)
    with translation.override(other):
        search_url = f"{reverse('meetings:search')}?{request.GET.urlencode()}"
        link = (
            translation.gettext("See these results in French")
            if other == "fr"
            else translation.gettext("See these results in English")
        )
    names = {"fr": translation.gettext("French"), "en": translation.gettext("English")}
    return {
        "other_language": other,
        "other_language_name": names[other],
        "other_language_link": link,
        "other_language_search": search_url,
    }


@conditional_page()
def subject_index(request):
    """The subject vocabulary, with how many published recommendations each holds."""
    subjects = sorted(Subject.objects.with_published_count(), key=lambda subject: collation_key(subject.name))
    context = {
        "subjects": subjects,
        "date_modified": Meeting.objects.published().last_modified(),
    }
    return render(request, "meetings/subject_index.html", context)


@conditional_page()
def subject_detail(request, slug):
    """One subject: its recommendations, grouped by meeting, newest first."""
    language = translation.get_language()
    subject = Subject.objects.filter(**{f"slug_{language}": slug}).select_related("broader").first()
    if subject is None:
        other = Subject.objects.filter(Q(slug_fr=slug) | Q(slug_en=slug)).first()
        if other is None:
            raise Http404("No subject at this address.")
        return redirect(other.get_absolute_url(language), permanent=True)
    recommendations = (
        Recommendation.objects.published()
        .filter(subjects=subject)
        .select_related("theme__meeting")
        .order_by("-theme__meeting__date", "theme__position", "position")
    )
    context = {
        "subject": subject,
        "recommendations": recommendations,
        "narrower": subject.narrower.all(),
        "date_modified": Meeting.objects.published().last_modified(),
        "alternates": {code: subject.get_absolute_url(code) for code in AVAILABLE_LANGUAGES},
    }
    return render(request, "meetings/subject_detail.html", context)


def collation_key(text):
    """Sort as a reader expects: accents and case aside ("Accessibilité" before "Aînés")."""
    return unaccent(text).lower()


def page_not_found(request, exception):
    # The toggle cannot translate an address that leads nowhere: offer the
    # listing in the other language instead.
    alternates = urls_in_each_language("meetings:index")
    return render(request, "404.html", {"alternates": alternates}, status=404)
