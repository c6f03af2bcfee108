"""Bot checks as the real ones look (SITES.md "Access problems (2026)"), for the fake
index sites and hosters: a Turnstile widget, an ALTCHA proof-of-work widget, and
Cloudflare's "Just a moment..." page. Each is ``(HTTP status, HTML)``.
"""

from __future__ import annotations

from typing import Literal

ChallengeKind = Literal["turnstile", "altcha", "cloudflare"]

CHALLENGE_PAGES: dict[str, tuple[int, str]] = {
    "turnstile": (
        200,
        """<!DOCTYPE html><html><head><title>Sicherheitsprüfung</title>
<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script></head>
<body><form method="post"><div class="cf-turnstile" data-sitekey="0x4AAAAAAAB"></div>
<button type="submit">Weiter</button></form></body></html>""",
    ),
    "altcha": (
        200,
        """<!DOCTYPE html><html><head><title>Bitte bestätigen</title>
<script type="module" src="/js/altcha.min.js"></script></head>
<body><form method="post"><altcha-widget challengeurl="/altcha/challenge"></altcha-widget>
<button type="submit">Weiter</button></form></body></html>""",
    ),
    "cloudflare": (
        403,
        """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><script>(function(){window._cf_chl_opt={cvId:'3',cType:'managed'};}());</script>
</body></html>""",
    ),
}
