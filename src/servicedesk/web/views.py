from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from servicedesk.tickets.selectors import tickets_visible


@login_required
def home(request):
    tickets = tickets_visible(user=request.user).order_by("-created_at")[:20]
    return render(request, "web/home.html", {"tickets": tickets})


@never_cache
def healthz(request):
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
