"""What the download worker announces, for the apps that react to it.

Receivers (media-server refresh, notifications, history, episode metadata) connect
in their AppConfig.ready(). A receiver must never fail a download: the worker sends
with ``send_robust`` and logs what a receiver raised.
"""

from django.dispatch import Signal

# After the worker claimed an item and starts downloading it (a "grab").
# kwargs: item (DownloadItem).
download_started = Signal()

# After a verified file was moved into the library and recorded.
# kwargs: item (DownloadItem), episode (library.Episode), path (absolute Path of the file),
# replaced (str: the library-relative path of the file it replaced, or "").
episode_placed = Signal()

# After an item ended `failed`.
# kwargs: item (DownloadItem, refreshed), message (str).
# ``item.error_code == "CHALLENGE"`` when checks only a person can pass blocked its links
# (``item.links``): the owner must act (a "needs_attention" notification).
download_failed = Signal()
