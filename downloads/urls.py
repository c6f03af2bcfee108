from django.urls import path

from downloads import api, views, wanted

api_urlpatterns = [
    path("status", api.queue_status, name="queue-status"),
    path("add", api.add, name="queue-add"),
    path("start", api.start, name="queue-start"),
    path("stop", api.stop, name="queue-stop"),
    path("reorder", api.reorder, name="queue-reorder"),
    path("completed", api.clear_completed, name="queue-clear-completed"),
    path("failed/retry", api.retry_failed, name="queue-retry-failed"),
    path("<int:item_id>", api.item, name="queue-item"),
    path("<int:item_id>/retry", api.retry, name="queue-retry"),
    path("<int:item_id>/link", api.user_link, name="queue-link"),
]

hosters_api_urlpatterns = [
    path("hosters", api.hosters, name="hosters"),
]

page_urlpatterns = [
    path("queue/", views.queue_page, name="queue"),
    path("queue/add", views.add_from_series, name="queue-add-page"),
    path("queue/action", views.queue_action, name="queue-action"),
    path("wanted/", wanted.wanted_page, name="wanted"),
    path("wanted/queue", wanted.queue_wanted, name="wanted-queue"),
    path("queue/link", views.paste_link, name="queue-link-page"),
]
