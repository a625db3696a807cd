from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.accounts.services import user_preferences_set
from servicedesk.tickets import views_portal


@login_required
def home(request):
    """People land where their role works: desk staff on the console, requesters on the portal."""
    if is_staff_member(request.user):
        return redirect("desk-queue")
    return views_portal.home(request)


class SignInView(auth_views.LoginView):
    """Django's sign-in, which then applies the person's preferred language."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = self.request.user.language
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            _language_cookie_set(response, language)
        return response


def _language_cookie_set(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def language_set(request):
    """The language switcher: Django's set_language, remembered on the person when signed in."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_preferences_set(user=request.user, language=language)
    return set_language(request)


@never_cache
def healthz(request):
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
