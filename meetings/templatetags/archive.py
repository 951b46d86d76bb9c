from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, language):
    """This page in ``language``: the same meeting, year or search.

    A view that knows better (a meeting, whose slug differs by language)
    passes ``alternates``; any other page is translated by resolving its path
    again, which keeps the query string.
    """
    alternates = context.get("alternates")
    if alternates and language in alternates:
        return alternates[language]
    request = context["request"]
    return translate_url(request.get_full_path(), language)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)
