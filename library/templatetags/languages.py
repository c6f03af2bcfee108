"""``{{ code|language_label }}``: "german-dub" → "German dub", the same words on every page."""

from django import template

from library.languages import LANGUAGE_LABELS

register = template.Library()


@register.filter
def language_label(code: str) -> str:
    return LANGUAGE_LABELS.get(code, code)
