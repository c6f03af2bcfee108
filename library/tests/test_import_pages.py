"""The Library page's part of an import: matches with confidence, attach-all, a live run."""

import pytest

from library.models import ScanRun, Series
from library.scanning import create_scan_run

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def folders(library_root):
    for name in ("Dark (2017)", "Hells Paradise", "Re Zero Kara (2020)"):
        (library_root / name).mkdir()
    return library_root


def test_the_panel_shows_each_match_with_its_confidence_and_reason(
    owner_client, aniworld_site, sto_site, folders
):
    panel = owner_client.get("/library/unmatched").content.decode()
    assert "Attach all confident matches (2)" in panel
    assert 'data-confidence="1.0">100 %' in panel
    assert "title 100 % similar, year matches" in panel
    assert "year differs (2016)" in panel


def test_attach_all_attaches_the_confident_ones_in_an_import_run(
    owner_client, aniworld_site, sto_site, folders
):
    owner_client.get("/library/unmatched")  # the page has looked them up
    aniworld_site.server.requests.clear()
    response = owner_client.post("/library/import", {"attach": "true"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "3 folders: 2 confident, 2 attached, 1 to choose" in page
    assert '<a href="/series/dark/">Dark (2017)</a> → Dark (s.to)' in page
    assert sorted(Series.objects.values_list("key", flat=True)) == ["dark", "hells-paradise"]
    # The run used the matches already looked up: only the attached series' pages were read.
    assert all(r.path.startswith("/anime/stream/") for r in aniworld_site.server.requests)
    # When its polling ends, the scan panel tells the folder list to reload.
    finished = owner_client.get("/library/scan", HTTP_HX_REQUEST="true")
    assert finished.status_code == 286
    assert finished["HX-Trigger"] == "import-finished"
    panel = owner_client.get("/library/unmatched").content.decode()
    assert "Re Zero Kara (2020)" in panel
    assert "Attach all confident matches" not in panel


def test_the_panel_looks_up_a_few_folders_and_leaves_the_rest_to_an_import_run(
    owner_client, aniworld_site, sto_site, folders, monkeypatch
):
    monkeypatch.setattr("library.views.PANEL_LOOKUPS", 1)
    panel = owner_client.get("/library/unmatched").content.decode()
    assert panel.count("Not looked up yet.") == 2
    assert "Find matches for all folders (2 not looked up yet)" in panel

    run = owner_client.post("/library/import", HTTP_HX_REQUEST="true").content.decode()
    assert "Last import" in run
    assert "3 folders: 2 confident, 0 attached, 1 to choose" in run
    assert ScanRun.objects.get().kind == "import"
    panel = owner_client.get("/library/unmatched").content.decode()
    assert "Not looked up yet." not in panel


def test_an_import_while_a_scan_runs_says_so(owner_client, folders):
    create_scan_run()
    page = owner_client.post("/library/import", HTTP_HX_REQUEST="true").content.decode()
    assert "A scan is already running." in page
