"""The primary navigation marks the section a page lies under."""

import re

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library_root")]


def current_items(html: str) -> list[tuple[str, str]]:
    navigation = re.search(r'<nav class="app-nav".*?</nav>', html, re.DOTALL)
    assert navigation, "no navigation on the page"
    return re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', navigation[0])


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/library/", ("/library/", "Library")),
        ("/wanted/", ("/wanted/", "Wanted")),
        ("/system/logs", ("/system/", "System")),
        ("/settings/connect/", ("/settings/", "Settings")),
    ],
)
def test_a_page_marks_the_section_it_lies_under(owner_client, path, item):
    assert current_items(owner_client.get(path).content.decode()) == [item]


def test_a_page_outside_every_section_marks_none(owner_client):
    html = owner_client.get("/no-such-page/").content.decode()
    assert current_items(html) == []
