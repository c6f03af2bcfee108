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
    # The Queue page's controls: one view each.
    path("queue/start", views.start, name="queue-start-page"),
    path("queue/stop", views.stop, name="queue-stop-page"),
    path("queue/<int:item_id>/cancel", views.cancel, name="queue-cancel-page"),
    path("queue/<int:item_id>/retry", views.retry, name="queue-retry-page"),
    path("queue/<int:item_id>/up", views.move_up, name="queue-up-page"),
    path("queue/<int:item_id>/down", views.move_down, name="queue-down-page"),
    path("queue/<int:item_id>/priority", views.set_priority, name="queue-priority-page"),
    path("queue/<int:item_id>/link", views.paste_link, name="queue-link-page"),
    path("queue/failed/retry", views.retry_failed, name="queue-retry-failed-page"),
    path("queue/pending/cancel", views.cancel_pending, name="queue-cancel-pending-page"),
    path("queue/finished/clear", views.clear_finished, name="queue-clear-finished-page"),
    path("wanted/", wanted.wanted_page, name="wanted"),
    path("wanted/queue", wanted.queue_wanted, name="wanted-queue"),
]
