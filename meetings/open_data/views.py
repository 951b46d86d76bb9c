"""Pages and files of the open data: downloads, the documentation page and robots.txt."""

from django.conf import settings
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from meetings.models import Meeting
from meetings.search.forms import SearchForm
from meetings.search.queryset import matching_recommendations

from .exports import csv_rows, json_document
from .serializers import LANGUAGE_CODES, ArchiveSerializer

# Rows fetched from the database at a time while a download streams.
EXPORT_CHUNK_SIZE = 500

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", csv_rows),
    "json": ("application/json", json_document),
}


def export_recommendations(request, export_format):
    """
    The recommendations a search finds (or every one, without a query), as a
    CSV or JSON download. It takes the search page's parameters, so a link
    from any results page or meeting page keeps its query and filters. Text
    is in the page's language, or in both with ``lang=all``.
    """
    form = SearchForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("This search could not be read"), content_type="text/plain; charset=utf-8"
        )
    options = form.search_options()
    del options["page"]
    language = translation.get_language()
    matches = matching_recommendations(form.cleaned_data["q"], language, **options)
    # Matches are found in every language; the columns are the page's
    # language unless both are asked for.
    languages = LANGUAGE_CODES if form.cleaned_data["lang"] == "all" else (language,)
    serializer = ArchiveSerializer(request.build_absolute_uri, languages)
    recommendations = matches.queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE)

    content_type, write = EXPORT_FORMATS[export_format]
    if export_format == "json":
        parameters = {
            name: form.cleaned_data[name] or None for name in ("q", "lang", "sort", "year", "meeting")
        }
        content = write(recommendations, serializer, {**parameters, "problem": matches.problem or None})
    else:
        content = write(recommendations, serializer)
    response = StreamingHttpResponse(content, content_type=content_type)
    filename = f"ccs-{_('recommendations')}-{'-'.join(languages)}.{export_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def open_data(request):
    """How to reuse the archive: downloads, the API, feeds."""
    context = {
        "date_modified": Meeting.objects.published().last_modified(),
        "api_root": request.build_absolute_uri(reverse("api:root")),
    }
    return render(request, "meetings/open_data.html", context)


def robots_txt(request):
    """Pages are open to crawlers; searches, in any format, are not: they are endless."""
    searches = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            searches += [
                f"{reverse('meetings:search')}?",
                reverse("meetings:search_feed"),
                f"{reverse('meetings:export_csv')}?",
                f"{reverse('meetings:export_json')}?",
            ]
    context = {
        "disallowed": ["/admin/", *searches, f"{reverse('api:recommendations')}?"],
        "sitemap_url": request.build_absolute_uri(reverse("sitemap")),
    }
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
