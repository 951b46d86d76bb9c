"""
The read-only JSON API, version 1, served at /api/v1/.

Plain Django views returning ``JsonResponse``: the surface is small (a few
lists and details, GET only), so a framework would add a dependency and more
code than it saves. Every answer, errors included, is JSON: a view returns a
dict or raises ``ApiError``; ``api_view`` does the rest (methods, status,
CORS). Lists are paginated by page number; the OpenAPI description in
``openapi.py`` is the contract, checked by the tests.
"""

from functools import wraps

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from modeltranslation.settings import DEFAULT_LANGUAGE

from meetings.languages import each_language
from meetings.models import Committee, Meeting, Recommendation
from meetings.search.forms import SearchForm
from meetings.search.queryset import matching_recommendations

from .openapi import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, openapi_document
from .serializers import ArchiveSerializer

ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")


class ApiError(Exception):
    """An answer other than 200: its status, a stable code and a message for people."""

    def __init__(self, status, code, message, fields=None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def in_both_languages(message):
    """A translatable message as ``{"fr": …, "en": …}``."""
    return {code: str(message) for code in each_language()}


def error_response(status, code, message, fields=None):
    error = {"status": status, "code": code, "message": in_both_languages(message)}
    if fields:
        error["fields"] = fields
    return JsonResponse({"error": error}, status=status, json_dumps_params={"ensure_ascii": False})


def with_cors(response):
    # Open data: any site may read it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def api_view(view):
    """Make ``view`` (request → dict) an API endpoint: GET and HEAD only, JSON always."""

    @csrf_exempt  # Nothing here changes anything; other methods are refused below.
    @wraps(view)
    def endpoint(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
            return with_cors(response)
        if request.method not in ALLOWED_METHODS:
            response = error_response(405, "method_not_allowed", _("This address only answers GET requests."))
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return with_cors(response)
        try:
            response = JsonResponse(view(request, *args, **kwargs), json_dumps_params={"ensure_ascii": False})
        except ApiError as error:
            response = error_response(error.status, error.code, error.message, error.fields)
        except Http404:
            response = error_response(404, "not_found", _("Nothing was found at this address."))
        return with_cors(response)

    return endpoint


def serializer_for(request):
    return ArchiveSerializer(request.build_absolute_uri)


# Parameters


class IsoDateField(forms.DateField):
    """A date written YYYY-MM-DD, and only so, whatever the language."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value):
        if value not in self.empty_values and len(str(value)) != 10:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class ParametersForm(forms.Form):
    """Query parameters: their values are checked before anything reaches the database."""

    # Query parameters whose names are Python keywords, by field name.
    parameter_names = {}

    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    # The one parameter whose empty value means something: no query.
    may_be_empty = {"q"}

    def add_prefix(self, field_name):
        return self.parameter_names.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        # "?page=" is a mistake, not a request for the default: say so.
        for name in self.fields:
            if name not in self.may_be_empty and self.data.get(self.add_prefix(name)) == "":
                self.errors.pop(name, None)
                self.add_error(name, forms.ValidationError(_("This parameter has no value."), code="empty"))
        return data

    def checked(self):
        """The cleaned parameters, or an ApiError naming each wrong one, in both languages."""
        if self.is_valid():
            return self.cleaned_data
        by_language = {code: self.errors.get_json_data() for code in each_language()}
        fields = {}
        for name, errors in by_language[DEFAULT_LANGUAGE].items():
            fields[self.add_prefix(name)] = [
                {
                    "code": error["code"],
                    "message": {code: by_language[code][name][index]["message"] for code in by_language},
                }
                for index, error in enumerate(errors)
            ]
        raise ApiError(400, "invalid_parameters", _("Some parameters could not be read."), fields)


class MeetingParametersForm(ParametersForm):
    parameter_names = {"date_from": "from", "date_to": "to"}

    date_from = IsoDateField(required=False)
    date_to = IsoDateField(required=False)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2999)
    committee = forms.SlugField(required=False, max_length=50)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error(
                "date_to", forms.ValidationError(_("“to” comes before “from”."), code="invalid_range")
            )
        return data


class RecommendationParametersForm(SearchForm, ParametersForm):
    """The search page's parameters, and the languages to search: fr, en or all (the default)."""

    lang = forms.ChoiceField(
        required=False, choices=[("all", _("French and English")), ("fr", _("French")), ("en", _("English"))]
    )


def paginate(request, queryset, parameters, serialize):
    page_size = parameters["page_size"] or DEFAULT_PAGE_SIZE
    paginator = Paginator(queryset, page_size)
    try:
        page = paginator.page(parameters["page"] or 1)
    except EmptyPage:
        raise ApiError(404, "page_not_found", _("There is no such page of results.")) from None

    def page_url(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": paginator.count,
        "page": page.number,
        "page_size": page_size,
        "num_pages": paginator.num_pages,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
        "results": [serialize(item) for item in page.object_list],
    }


# Endpoints


@api_view
def api_root(request):
    serializer = serializer_for(request)
    return {
        "version": "1",
        "meetings": serializer.api_url("meetings"),
        "recommendations": serializer.api_url("recommendations"),
        "committees": serializer.api_url("committees"),
        "openapi": serializer.api_url("openapi"),
        "documentation": serializer.page_urls("meetings:open_data"),
    }


@api_view
def openapi(request):
    return openapi_document(server_url=request.build_absolute_uri(reverse("api:root")))


@api_view
def meeting_list(request):
    """Published meetings, newest first, filtered by date, year or committee."""
    parameters = MeetingParametersForm(request.GET).checked()
    meetings = Meeting.objects.published().with_counts().order_by("-date", "-pk")
    if parameters["date_from"]:
        meetings = meetings.filter(date__gte=parameters["date_from"])
    if parameters["date_to"]:
        meetings = meetings.filter(date__lte=parameters["date_to"])
    if parameters["year"]:
        meetings = meetings.filter(date__year=parameters["year"])
    if parameters["committee"]:
        meetings = meetings.filter(committee__code=parameters["committee"])
    return paginate(request, meetings, parameters, serializer_for(request).meeting)


@api_view
def meeting_detail(request, pk):
    try:
        meeting = Meeting.objects.published().with_contents().get(pk=pk)
    except Meeting.DoesNotExist:
        raise ApiError(404, "not_found", _("There is no published meeting with this id.")) from None
    return serializer_for(request).meeting_detail(meeting)


@api_view
def recommendation_list(request):
    """Published recommendations: all of them, or those a search finds, as on the search page."""
    parameters = RecommendationParametersForm(request.GET).checked()
    lang = parameters["lang"] or "all"
    query = parameters["q"]
    matches = matching_recommendations(
        query,
        DEFAULT_LANGUAGE if lang == "all" else lang,
        only_page_language=lang != "all",
        sort=parameters["sort"] or ("relevance" if query else "newest"),
        year=parameters["year"],
        meeting=parameters["meeting"],
    )
    listing = paginate(request, matches.queryset, parameters, serializer_for(request).recommendation)
    total = listing["count"] if matches.total is None else int(matches.total)
    return {
        **listing,
        "more": matches.more,
        "matches": total,
        "matches_estimated": getattr(matches.total, "estimated", False),
        "problem": matches.problem or None,
    }


@api_view
def recommendation_detail(request, pk):
    try:
        recommendation = (
            Recommendation.objects.published()
            .select_related("theme__meeting")
            .prefetch_related("subjects")
            .get(pk=pk)
        )
    except Recommendation.DoesNotExist:
        raise ApiError(404, "not_found", _("There is no published recommendation with this id.")) from None
    return serializer_for(request).recommendation(recommendation)


@api_view
def committee_list(request):
    parameters = ParametersForm(request.GET).checked()
    committees = Committee.objects.order_by("code")
    return paginate(request, committees, parameters, serializer_for(request).committee)


@api_view
def committee_detail(request, code):
    try:
        committee = Committee.objects.get(code=code)
    except Committee.DoesNotExist:
        raise ApiError(404, "not_found", _("There is no committee with this code.")) from None
    return serializer_for(request).committee(committee)


@api_view
def not_found(request, path=""):
    """Any other address under /api/: a JSON 404, with a hint when only the final slash is missing."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match and match.url_name != "not_found":
            raise ApiError(404, "not_found", _("Nothing was found at this address. Add a final slash."))
    raise ApiError(404, "not_found", _("Nothing was found at this address."))
