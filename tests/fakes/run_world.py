"""Run the fake remote world (index sites, hosters with real media, TMDB) until Ctrl+C.

For trying the app by hand and for the browser tests:

    .venv/bin/python -m tests.fakes.run_world
    # prints the variables to start Aniworld against it, e.g.
    ANIWORLD_SITE_URL=http://127.0.0.1:41235 STO_SITE_URL=… TMDB_API_URL=… make run
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

from tests.fakes.aniworld_site import FakeAniworld
from tests.fakes.hosters import HosterWorld
from tests.fakes.media import make_media_set
from tests.fakes.sto_site import FakeSto
from tests.fakes.tmdb import FAKE_API_KEY, FakeTmdb
from tests.fakes.world import connect


def main() -> int:
    media = make_media_set(Path(tempfile.gettempdir()) / "aniworld-fake-media")
    with (
        FakeAniworld() as aniworld,
        FakeSto() as sto,
        HosterWorld(media) as hosters,
        FakeTmdb() as tmdb,
    ):
        connect(aniworld, hosters)
        connect(sto, hosters)
        variables = {
            "ANIWORLD_SITE_URL": aniworld.url,
            "STO_SITE_URL": sto.url,
            "TMDB_API_URL": tmdb.api_url,
            "TMDB_IMAGE_URL": tmdb.image_url,
            "TMDB_API_KEY": FAKE_API_KEY,
            "ANIWORLD_ALLOW_PRIVATE_HOSTS": ",".join(hosters.host_ports),
        }
        print(" ".join(f"{name}={value}" for name, value in variables.items()), flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aniworld.settings_test")
    sys.exit(main())
