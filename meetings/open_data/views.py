"""Pages and files of the open data: downloads, the documentation page and robots.txt."""

import os
from itertools import chain

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.formats import number_format
from django.utils.http import content_disposition_header, http_date, quote_etag
from django.utils.translation import gettext as _
from modeltranslation.settings import AVAILABLE_LANGUAGES

from ccs_archive.http_caching import apply_policy, cache_policy
from meetings.conditional import conditional_page, conditional_response
from meetings.languages import each_language
from meetings.models import Meeting
from meetings.search.forms import SearchForm
from meetings.search.queryset import matching_recommendations

from .archive_files import ArchiveFile, rebuild_archive_files
from .exports import csv_rows, json_document
from .serializers import ArchiveSerializer

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
    data = form.cleaned_data
    # Matches are found in every language; the columns are the page's
    # language unless both are asked for.
    both_languages = data["lang"] == "all"
    if not (data["q"] or data["year"] or data["meeting"]) and options["sort"] in ("relevance", "newest"):
        return apply_policy(
            archive_file_response(request, ArchiveFile(export_format, language, both_languages)), "search"
        )
    return conditional_response(
        request, lambda: stream_recommendations(request, export_format, form, options), "search"
    )


def stream_recommendations(request, export_format, form, options):
    """A search's or a meeting's download, streamed, up to ``EXPORT_ROW_LIMIT`` rows."""
    language = translation.get_language()
    data = form.cleaned_data
    both_languages = data["lang"] == "all"
    matches = matching_recommendations(data["q"], language, **options)
    if matches.queryset.order_by()[settings.EXPORT_ROW_LIMIT :].exists():
        return too_many_rows(request, export_format)
    languages = AVAILABLE_LANGUAGES if both_languages else (language,)
    serializer = ArchiveSerializer(request.build_absolute_uri, languages)
    recommendations = matches.queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE)
    # Read the first rows before answering: a database that fails now gives
    # an error status (503), not a "200 OK" with a cut-off file.
    first = next(recommendations, None)
    if first is not None:
        recommendations = chain([first], recommendations)

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


def too_many_rows(request, export_format):
    whole_archive = request.build_absolute_uri(reverse(f"meetings:export_{export_format}"))
    message = _(
        "This search finds more than %(limit)s recommendations, too many for one download. "
        "Narrow it down (by year, meeting or words), or download the whole archive: %(url)s"
    ) % {
        "limit": number_format(settings.EXPORT_ROW_LIMIT, force_grouping=True),
        "url": f"{whole_archive}?lang=all",
    }
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


EXPORT_CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def archive_file_response(request, archive_file):
    """A whole-archive download: its file, written ahead of time, with validators for caches."""
    try:
        handle = open(archive_file.path, "rb")
    except FileNotFoundError:
        # A fresh install, before the first build: start one and ask to come back.
        rebuild_archive_files()
        try:
            handle = open(archive_file.path, "rb")
        except FileNotFoundError:
            response = HttpResponse(
                _("The download of the whole archive is being prepared. Please try again in a few minutes."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "60"
            return response
    stat = os.fstat(handle.fileno())
    # nginx's own tag for a file (seconds and size, in hexadecimal): the same
    # whether the file is sent from here or by nginx (ARCHIVE_FILES_ACCEL_PREFIX).
    etag = quote_etag(f"{int(stat.st_mtime):x}-{stat.st_size:x}")
    filename = f"ccs-{_('recommendations')}-{'-'.join(archive_file.languages)}.{archive_file.export_format}"
    content_type = EXPORT_CONTENT_TYPES[archive_file.export_format]
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if not_modified is not None:
        handle.close()
        response = not_modified
    elif settings.ARCHIVE_FILES_ACCEL_PREFIX:
        # nginx sends the file itself (an internal location): a slow download
        # holds no application worker.
        handle.close()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (
            settings.ARCHIVE_FILES_ACCEL_PREFIX.rstrip("/") + "/" + archive_file.path.name
        )
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    else:
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@conditional_page()
def open_data(request):
    """How to reuse the archive: downloads, the API, feeds."""
    context = {
        "date_modified": Meeting.objects.published().last_modified(),
        "api_root": request.build_absolute_uri(reverse("api:root")),
    }
    return render(request, "meetings/open_data.html", context)


@cache_policy("page")
def robots_txt(request):
    """Pages are open to crawlers; searches, in any format, are not: they are endless."""
    searches = []
    for _code in each_language():
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
