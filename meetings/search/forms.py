from django import forms
from django.utils.translation import gettext_lazy as _

from .query import MAX_QUERY_LENGTH

# NUL and the other C0 control characters (but tab and newline, which are
# spaces here) have no place in a search, and PostgreSQL refuses NUL.
_CONTROL_CHARACTERS = {code: " " for code in range(0x20) if code not in (0x09, 0x0A, 0x0D)} | {0x7F: " "}


class QueryField(forms.CharField):
    """Free text, with control characters turned into spaces before validation."""

    def to_python(self, value):
        return super().to_python(value).translate(_CONTROL_CHARACTERS)


class SearchForm(forms.Form):
    q = QueryField(label=_("Search the recommendations"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("relevance", _("Relevance")), ("newest", _("Newest first")), ("oldest", _("Oldest first"))],
    )
    # Both languages unless asked otherwise: every recommendation exists in
    # both, and a reader may type the words of either.
    lang = forms.ChoiceField(
        label=_("Languages"),
        required=False,
        choices=[("all", _("French and English")), ("page", _("This page's language only"))],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2999)
    meeting = forms.IntegerField(label=_("Meeting"), required=False, min_value=1, max_value=2**53)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=10**9)

    def clean_q(self):
        text = self.cleaned_data["q"]
        self.shortened = len(text) > MAX_QUERY_LENGTH
        return " ".join(text[:MAX_QUERY_LENGTH].split())

    def search_options(self):
        data = self.cleaned_data
        return {
            "only_page_language": data["lang"] == "page",
            "sort": data["sort"] or "relevance",
            "year": data["year"],
            "meeting": data["meeting"],
            "page": data["page"] or 1,
        }
