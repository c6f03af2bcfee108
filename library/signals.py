"""What the library announces, for the apps that react to it.

Receivers connect in their AppConfig.ready() and must not fail the sender: senders
use ``send_robust`` and log what a receiver raised.
"""

from django.dispatch import Signal

# After a series was added to the library (searched and added, or a folder attached),
# once its row is committed; its episodes still load in the background. kwargs: series.
series_added = Signal()

# After the first refresh of a series just added or attached: its episodes are loaded
# (or the index failed, recorded on the series). kwargs: series.
series_loaded = Signal()

# After a series was removed. kwargs: key, name, folder (library-relative),
# path (absolute Path of its folder or None), files_deleted (bool).
series_deleted = Signal()

# After the new-episode watch found episodes. kwargs: episodes (list of library.Episode).
new_episodes_found = Signal()

# After a downloaded episode's file got another name: found so by a scan, or renamed
# to the naming template (library.renaming).
# kwargs: episode (library.Episode, updated), old_path, new_path (library-relative).
episode_renamed = Signal()
