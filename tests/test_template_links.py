"""Templates and scripts link to the app by route name, never by a written-out path.

A path typed into a template (``href="/series/{{ key }}/"``) keeps working only until
its route moves; ``{% url 'series' key %}`` follows the route. Scripts get their URLs
from the page (``data-refresh-url="{% url … %}"``).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SCRIPTS = ROOT / "static" / "js"

# An attribute that takes a URL, whose value starts with a path of this site.
PATH_IN_ATTRIBUTE = re.compile(
    r"""\b(?P<attribute>action|href|src|formaction|hx-[a-z-]+|data-[a-z-]*url)\s*=\s*
        (?P<quote>["'])(?P<path>/(?!/)[^"']*)(?P=quote)""",
    re.VERBOSE,
)
# A string literal in a script that starts with a page path ("/library/…"). The WebSocket
# (/ws/…) has no Django route to reverse.
PATH_IN_SCRIPT = re.compile(r"""(?P<quote>["'`])(?P<path>/(?!/|ws/)[A-Za-z][^"'`]*)(?P=quote)""")


def written_out_paths(text: str) -> list[str]:
    return [
        f"{match['attribute']}={match['quote']}{match['path']}{match['quote']}"
        for match in PATH_IN_ATTRIBUTE.finditer(text)
    ]


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_check_sees_paths_in_links_forms_and_htmx_attributes():
    template = """
        <a href="/library/">Library</a>
        <form method="post" action='/queue/action' hx-post="/queue/action">
        <div hx-get="/series/{{ key }}/nfo" data-refresh-url="/library/scan"></div>
        <img src="/series/{{ key }}/cover">
    """
    assert written_out_paths(template) == [
        'href="/library/"',
        "action='/queue/action'",
        'hx-post="/queue/action"',
        'hx-get="/series/{{ key }}/nfo"',
        'data-refresh-url="/library/scan"',
        'src="/series/{{ key }}/cover"',
    ]


def test_the_check_lets_names_fragments_and_other_sites_pass():
    template = """
        <a href="{% url 'series' key %}">x</a> <a href="#main">skip</a>
        <a href="https://www.themoviedb.org/">TMDB</a> <a href="//cdn.example/">cdn</a>
        <link href="{% static 'css/app.css' %}"> <textarea placeholder="/srv/anime"></textarea>
    """
    assert written_out_paths(template) == []


@pytest.mark.parametrize(
    "path", template_files(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_templates_link_by_route_name(path):
    assert written_out_paths(path.read_text()) == [], (
        f"{path.relative_to(ROOT)} writes out paths; use {{% url 'name' … %}}"
    )


@pytest.mark.parametrize("path", sorted(SCRIPTS.glob("*.js")), ids=lambda path: path.name)
def test_scripts_take_page_urls_from_the_page(path):
    found = [match["path"] for match in PATH_IN_SCRIPT.finditer(path.read_text())]
    assert found == [], f"{path.relative_to(ROOT)} writes out paths; pass them in data- attributes"


def test_the_script_check_sees_page_paths_but_not_the_websocket():
    script = """refresh("#queue", "/queue/"); fetch(`/library/${key}`); new WebSocket(`${s}//${h}/ws/connect`); x = '/ws/connect';"""
    assert [match["path"] for match in PATH_IN_SCRIPT.finditer(script)] == [
        "/queue/",
        "/library/${key}",
    ]


def test_every_element_live_js_refreshes_names_its_url():
    refreshed = set(re.findall(r'refresh\("#([\w-]+)"', (SCRIPTS / "live.js").read_text()))
    assert refreshed >= {"queue", "scan-panel", "series-list", "unmatched", "episodes"}
    tags = [
        tag
        for path in TEMPLATES.rglob("*.html")
        for tag in re.findall(r"<[a-z][^>]*>", path.read_text())
    ]
    for element in refreshed:
        found = [tag for tag in tags if f'id="{element}"' in tag]
        assert found, f"no template has the element #{element}"
        assert all("data-refresh-url=" in tag for tag in found), found
