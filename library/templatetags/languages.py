"""``{{ code|language_label }}``: "german-dub" → "German dub", the same words on every page."""

from django import template

from aniworld.languages import label_of

register = template.Library()


@register.filter
def language_label(code: str) -> str:
    return label_of(code)
