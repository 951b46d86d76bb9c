"""
The API's contract, written by hand as an OpenAPI 3.1 document.

OpenAPI 3.1 schemas are JSON Schema (2020-12), so the tests validate every
answer of the API against the schemas below with the ``jsonschema`` package.
When an answer changes shape, this document changes with it.
"""

import copy

from modeltranslation.settings import AVAILABLE_LANGUAGES

from meetings.search.engine import (
    CANDIDATES,
    COARSE_SAMPLE_EVERY,
    COUNT_BOUND,
    ESTIMATED_BEST_BELOW,
    MIDDLE_SAMPLE_EVERY,
    SAMPLE_EVERY,
)

# Results per page: without page_size, and at most.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# The highest page number read; past the last page is a 404 anyway.
MAX_PAGE = 10**9


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def bilingual(description, value=None):
    value = value or {"type": "string"}
    return {
        "description": description,
        "type": "object",
        "properties": dict.fromkeys(AVAILABLE_LANGUAGES, value),
        "required": list(AVAILABLE_LANGUAGES),
        "additionalProperties": False,
    }


URLS = {"type": "string", "format": "uri"}
NULLABLE_URL = {"type": ["string", "null"], "format": "uri"}
DATE = {"type": "string", "format": "date"}
# Ids fit in JSON numbers exactly (2**53), as the search form's meeting filter checks.
ID = {"type": "integer", "minimum": 1, "maximum": 2**53}


def obj(properties, description=""):
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


SCHEMAS = {
    "Text": bilingual("A text in French and in English."),
    "Links": bilingual("The page's address in French and in English.", URLS),
    "Committee": obj(
        {
            "id": ID,
            "code": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
            "name": ref("Text"),
            "acronym": ref("Text"),
            "department": ref("Text"),
            "disclaimer": ref("Text"),
            "original_language": {"enum": list(AVAILABLE_LANGUAGES)},
            "url": ref("Links"),
            "meetings_url": URLS,
        },
        "A committee. Text in its original_language is its own; the other is this archive's translation.",
    ),
    "MeetingReference": obj(
        {"id": ID, "date": DATE, "title": ref("Text"), "url": ref("Links"), "api_url": URLS},
    ),
    "Meeting": obj(
        {
            "id": ID,
            "date": DATE,
            "title": ref("Text"),
            "url": ref("Links"),
            "api_url": URLS,
            "committee": {"type": "string", "description": "The committee's code."},
            "objective": ref("Text"),
            "modified_at": {"type": "string", "format": "date-time"},
            "theme_count": {"type": "integer", "minimum": 0},
            "recommendation_count": {"type": "integer", "minimum": 0},
        },
        "A published meeting, as listed.",
    ),
    "MeetingDetail": obj(
        {
            "id": ID,
            "date": DATE,
            "title": ref("Text"),
            "url": ref("Links"),
            "api_url": URLS,
            "committee": ref("Committee"),
            "objective": ref("Text"),
            "modified_at": {"type": "string", "format": "date-time"},
            "themes": {"type": "array", "items": ref("Theme")},
        },
        "A published meeting with its themes and recommendations, in the order of the summary.",
    ),
    "Theme": obj(
        {
            "id": ID,
            "position": {"type": "integer", "minimum": 0},
            "title": ref("Text"),
            "url": ref("Links"),
            "recommendations": {"type": "array", "items": ref("ThemeRecommendation")},
        }
    ),
    "Subject": obj(
        {"slug": ref("Text"), "name": ref("Text"), "url": ref("Links")},
        "A subject of the archive's bilingual vocabulary, and its page.",
    ),
    "ThemeRecommendation": obj(
        {
            "id": ID,
            "position": {"type": "integer", "minimum": 0},
            "text": ref("Text"),
            "url": ref("Links"),
            "api_url": URLS,
            "subjects": {"type": "array", "items": ref("Subject")},
        },
        "A recommendation; url is its permalink, the meeting page at the recommendation's anchor.",
    ),
    "Recommendation": obj(
        {
            "id": ID,
            "position": {"type": "integer", "minimum": 0},
            "text": ref("Text"),
            "url": ref("Links"),
            "api_url": URLS,
            "theme": obj({"id": ID, "position": {"type": "integer", "minimum": 0}, "title": ref("Text")}),
            "meeting": ref("MeetingReference"),
            "subjects": {"type": "array", "items": ref("Subject")},
        },
        "A recommendation with its theme, meeting and subjects; url is its permalink.",
    ),
    "Error": obj(
        {
            "error": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": ref("Text"),
                    "fields": {
                        "type": "object",
                        "description": "Each wrong parameter, with what is wrong with it.",
                        "additionalProperties": {
                            "type": "array",
                            "items": obj({"code": {"type": "string"}, "message": ref("Text")}),
                        },
                    },
                },
                "required": ["status", "code", "message"],
                "additionalProperties": False,
            }
        }
    ),
    "Root": obj(
        {
            "version": {"const": "1"},
            "meetings": URLS,
            "recommendations": URLS,
            "committees": URLS,
            "openapi": URLS,
            "documentation": ref("Links"),
        }
    ),
}


def page_of(name, extra=None):
    properties = {
        "count": {"type": "integer", "minimum": 0, "description": "How many results in all."},
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        "num_pages": {"type": "integer", "minimum": 1},
        "next": NULLABLE_URL,
        "previous": NULLABLE_URL,
        "results": {"type": "array", "items": ref(name)},
        **(extra or {}),
    }
    return obj(properties, f"One page of {name} objects, with links to the next and previous pages.")


SCHEMAS["MeetingPage"] = page_of("Meeting")
SCHEMAS["CommitteePage"] = page_of("Committee")
SCHEMAS["RecommendationPage"] = page_of(
    "Recommendation",
    {
        "more": {
            "type": "boolean",
            "description": f"True when more recommendations match than are listed: a search lists at most "
            f"{CANDIDATES:,} matches, ranked among themselves, as on the search page: under sort=relevance, "
            f"those the database estimates best when at most {ESTIMATED_BEST_BELOW:,} match, the newest "
            "otherwise; the newest (the oldest with sort=oldest) under the other sorts. Always false without q.",
        },
        "matches": {
            "type": "integer",
            "minimum": 0,
            "description": f"How many published recommendations match, listed or not, as the search page "
            f"counts them: exact up to {COUNT_BOUND:,}, and past it estimated from the matches whose id is a "
            f"multiple of {COARSE_SAMPLE_EVERY}, {MIDDLE_SAMPLE_EVERY} or {SAMPLE_EVERY} (then matches_estimated is true). Without q, "
            "the same as count.",
        },
        "matches_estimated": {
            "type": "boolean",
            "description": "True when matches is an estimate.",
        },
        "problem": {
            "enum": [None, "empty", "only_excluded", "stop_words"],
            "description": "Why a query was not searched: nothing to look for, only excluded words, "
            "or only very common words. Null when the query was searched or there was none.",
        },
    },
)


def parameter(name, description, schema):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


PAGE_PARAMETERS = [
    parameter(
        "page",
        f"The page number, from 1 to {MAX_PAGE:,}; past the last page, a 404.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    ),
    parameter(
        "page_size",
        f"How many results per page, at most {MAX_PAGE_SIZE}.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    ),
]
YEAR = parameter("year", "Only this year's meetings.", {"type": "integer", "minimum": 1900, "maximum": 2999})


def answer(description, schema_name):
    return {"description": description, "content": {"application/json": {"schema": ref(schema_name)}}}


ERRORS = {
    "400": answer(
        "A parameter could not be read, or was given with no value (only q may be empty); "
        "error.fields says which and why.",
        "Error",
    ),
    "404": answer("No such object, or no such page of results.", "Error"),
    "405": answer("Only GET, HEAD and OPTIONS are answered.", "Error"),
    "503": answer(
        "The database is unavailable, or the request took longer than the site allows; try again after "
        "the Retry-After header's seconds.",
        "Error",
    ),
}


def operation(operation_id, summary, ok, parameters=()):
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": list(parameters),
            "responses": {"200": ok, **ERRORS},
        }
    }


PATH_ID = {"name": "id", "in": "path", "required": True, "schema": ID}

PATHS = {
    "/": operation("root", "Links to the API's lists and to this description.", answer("The links.", "Root")),
    "/meetings/": operation(
        "listMeetings",
        "Published meetings, newest first.",
        answer("A page of meetings.", "MeetingPage"),
        [
            parameter("from", "Meetings on or after this date (YYYY-MM-DD).", DATE),
            parameter("to", "Meetings on or before this date (YYYY-MM-DD).", DATE),
            YEAR,
            parameter(
                "committee",
                "Only this committee's meetings (its code).",
                {"type": "string", "minLength": 1, "maxLength": 50, "pattern": "^[-a-zA-Z0-9_]+$"},
            ),
            *PAGE_PARAMETERS,
        ],
    ),
    "/meetings/{id}/": operation(
        "getMeeting",
        "A published meeting with its themes and recommendations.",
        answer("The meeting.", "MeetingDetail"),
        [PATH_ID],
    ),
    "/recommendations/": operation(
        "listRecommendations",
        "Published recommendations, or those a search finds, with the search page's syntax.",
        answer("A page of recommendations.", "RecommendationPage"),
        [
            parameter(
                "q",
                'What to look for: words (all required), "a phrase", OR between two terms, '
                "-word to leave out. Cut at 200 characters. Without it, every recommendation, newest first.",
                {"type": "string"},
            ),
            parameter(
                "lang",
                "The language(s) searched: fr, en, or all (the default).",
                {"enum": ["all", *AVAILABLE_LANGUAGES], "default": "all"},
            ),
            parameter(
                "sort",
                "The order: relevance (the default with a query), newest (the default without) or oldest.",
                {"enum": ["relevance", "newest", "oldest"]},
            ),
            YEAR,
            parameter("meeting", "Only this meeting's recommendations (its id).", ID),
            *PAGE_PARAMETERS,
        ],
    ),
    "/recommendations/{id}/": operation(
        "getRecommendation",
        "A published recommendation with its theme and meeting.",
        answer("The recommendation.", "Recommendation"),
        [PATH_ID],
    ),
    "/committees/": operation(
        "listCommittees", "The committees.", answer("A page of committees.", "CommitteePage"), PAGE_PARAMETERS
    ),
    "/committees/{code}/": operation(
        "getCommittee",
        "A committee.",
        answer("The committee.", "Committee"),
        [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
    ),
}

DOCUMENT = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
    "info": {
        "title": "Service Advisory Committee archive API",
        "version": "1.0.0",
        "summary": "The meeting summaries of ESDC's Service Advisory Committee, in French and English.",
        "description": (
            "Read-only. Only published meetings appear. Every text is given in both languages as "
            '{"fr": …, "en": …}; the French text is the committee\'s own and the English text an unofficial '
            "translation. Ids are stable. Lists are paginated by page number (next and previous give the "
            "links). Every answer, errors included, is JSON, and carries Access-Control-Allow-Origin: *. "
            "Error messages are in both languages."
        ),
    },
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}


def openapi_document(server_url):
    """The description, pointed at this server."""
    document = copy.deepcopy(DOCUMENT)
    document["servers"] = [{"url": server_url.rstrip("/")}]
    return document
