"""The product's URLs plus one bare JSON view, the reference row of every HTTP benchmark.

The bare view does no database work, so it measures what the server, Django's middleware and
the load generator cost by themselves on this machine.
"""

from django.http import JsonResponse
from django.urls import include, path

from bench import BARE_PATH


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path(BARE_PATH.strip("/") + "/", bare),
    path("", include("servicedesk.urls")),
]
