"""Which part of a page an HTMX request asks for."""

from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from aniworld.htmx import page_or_partial


def request(headers=None):
    made = RequestFactory().get("/library/", headers=headers or {})
    made.htmx = HtmxDetails(made)
    return made


def test_an_htmx_request_for_the_partials_element_gets_the_partial():
    asked = request({"HX-Request": "true", "HX-Target": "series-list"})
    assert page_or_partial(asked, "library/library.html", "series-list") == (
        "library/library.html#series-list"
    )


def test_a_plain_request_or_one_for_another_element_gets_the_page():
    for asked in (request(), request({"HX-Request": "true", "HX-Target": "scan-panel"})):
        assert page_or_partial(asked, "library/library.html", "series-list") == (
            "library/library.html"
        )
