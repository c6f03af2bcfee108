from django.urls import path

from downloads.consumers import LiveConsumer

websocket_urlpatterns = [path("ws/connect", LiveConsumer.as_asgi())]
