"""The public status page (no sign-in, its own light template, cached per language) and the
console's status page for desk staff. Views parse, call one selector or service, render."""

import json
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import ServiceError
from servicedesk.statuspage import forms, selectors, services
from servicedesk.statuspage.cache import PAGE_TIMEOUT, cached_body
from servicedesk.statuspage.models import Component, Maintenance
from servicedesk.tickets import selectors as ticket_selectors

LANGUAGES = dict(settings.LANGUAGES)
HISTORY_PAGE_SIZE = 20


def _language(request) -> str:
    """The visitor's choice (`?lang=`), else what LocaleMiddleware chose (cookie, browser)."""
    chosen = request.GET.get("lang", "")
    return chosen if chosen in LANGUAGES else translation.get_language()


def _public(view):
    """A public page in the visitor's language, whose links keep that choice."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = _language(request)
        with translation.override(language):
            response = view(request, language, *args, **kwargs)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapper


def _lang_links(request, language: str, path: str) -> dict:
    return {
        "language": language,
        "lang_query": urlencode({"lang": language}),
        "languages": [(code, name) for code, name in settings.LANGUAGES],
        "path": path,
    }


def _cached(request, name: str, language: str, build, content_type: str):
    """The cached body of `name` in `language` (statuspage/cache.py), with its ETag; a
    matching If-None-Match answers 304."""

    def build_bytes() -> bytes:
        body = build()
        return body.encode() if isinstance(body, str) else body

    etag, body = cached_body(name, language, build_bytes)
    # Shared caches (a reverse proxy, a CDN) keep it PAGE_TIMEOUT seconds; a browser asks
    # again each time and gets a 304 while nothing changed, so a reload shows the news.
    headers = {"ETag": etag, "Cache-Control": f"public, max-age=0, s-maxage={PAGE_TIMEOUT}"}
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers=headers)
    return HttpResponse(body, content_type=content_type, headers=headers)


@require_GET
@_public
def status_home(request, language):
    def build():
        page = selectors.status_page()
        return render_to_string(
            "statuspage/home.html",
            {
                "page": page,
                "page_name": page.name,
                **_lang_links(request, language, reverse("status-home")),
            },
        )

    return _cached(request, "home", language, build, "text/html; charset=utf-8")


@require_GET
@_public
def incident_history(request, language):
    paginator = Paginator(selectors.incidents_history(), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "statuspage/history.html",
        {
            "incidents": page,
            "page_name": selectors.page_name(),
            **_lang_links(request, language, reverse("status-history")),
        },
    )


@require_GET
@_public
def incident_detail(request, language, pk: int):
    incident = selectors.incident_public_get(pk=pk)
    if incident is None:
        raise Http404(_("No such incident."))
    return render(
        request,
        "statuspage/incident.html",
        {
            "incident": incident,
            "page_name": selectors.page_name(),
            **_lang_links(request, language, reverse("status-incident", args=[pk])),
        },
    )


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@require_GET
@_public
def api_summary(request, language, part: str = "summary"):
    parts = {
        "summary": lambda s: s,
        "status": lambda s: {"page": s["page"], "status": s["status"]},
        "components": lambda s: {"page": s["page"], "components": s["components"]},
        "scheduled-maintenances": lambda s: {
            "page": s["page"],
            "scheduled_maintenances": s["scheduled_maintenances"],
        },
        "incidents/unresolved": lambda s: {"page": s["page"], "incidents": s["incidents"]},
    }
    pick = parts[part]
    response = _cached(
        request,
        f"json-{part}",
        language,
        lambda: _json(pick(selectors.summary())),
        "application/json",
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@_public
def api_incidents(request, language):
    def build():
        summary = selectors.summary()
        return _json({"page": summary["page"], "incidents": selectors.incidents_json()})

    response = _cached(request, "json-incidents", language, build, "application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@require_http_methods(["GET", "POST"])
@_public
def subscribe(request, language):
    form = forms.SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.subscriber_subscribe(
                    email=form.cleaned_data["email"],
                    language=language,
                    components=[c.pk for c in form.cleaned_data["components"]],
                )
            except ServiceError as error:
                _errors_apply(form, error)
                status = error.status_code
            else:
                return render(
                    request,
                    "statuspage/message.html",
                    {
                        "title": _("Check your inbox"),
                        "text": _(
                            "If this address is not subscribed yet, we have sent it a link to "
                            "confirm the subscription. Nothing is sent before you confirm."
                        ),
                        "page_name": selectors.page_name(),
                        **_lang_links(request, language, reverse("status-subscribe")),
                    },
                )
        else:
            status = 400
    return render(
        request,
        "statuspage/subscribe.html",
        {
            "form": form,
            "page_name": selectors.page_name(),
            **_lang_links(request, language, reverse("status-subscribe")),
        },
        status=status,
    )


def _errors_apply(form, error: ServiceError) -> None:
    for field, reasons in error.errors.items():
        for reason in reasons:
            form.add_error(field if field in form.fields else None, reason)


@require_http_methods(["GET", "POST"])
@_public
def confirm(request, language, token: str):
    """GET: a button (a link scanner confirms nothing); POST: the subscription starts."""
    context = {
        "page_name": selectors.page_name(),
        **_lang_links(request, language, request.path),
    }
    subscriber = services.subscriber_for_confirm(token)
    if subscriber is None or subscriber.unsubscribed_at:
        context |= {
            "title": _("Link not valid"),
            "text": _("This confirmation link is not valid or has expired. Subscribe again."),
        }
        return render(request, "statuspage/message.html", context, status=400)
    if request.method == "POST":
        services.subscriber_confirm(token=token)
        context |= {
            "title": _("Subscribed"),
            "text": _("You will get an email when an incident or maintenance is posted."),
        }
        return render(request, "statuspage/message.html", context)
    context |= {
        "title": _("Confirm your subscription"),
        "text": _("Confirm that %(email)s should receive the status page's notices.")
        % {"email": subscriber.email},
        "button": _("Confirm"),
    }
    return render(request, "statuspage/message.html", context)


@csrf_exempt  # RFC 8058: a mail client posts "List-Unsubscribe=One-Click" with no session
@require_http_methods(["GET", "POST"])
@_public
def unsubscribe(request, language, token: str):
    """GET: a button (a link scanner unsubscribes no one); POST (the button, or a mail client's
    one-click `List-Unsubscribe=One-Click`): unsubscribed at once, no sign-in."""
    context = {
        "page_name": selectors.page_name(),
        **_lang_links(request, language, request.path),
    }
    subscriber = services.subscriber_for_unsubscribe(token)
    if subscriber is None:
        context |= {"title": _("Link not valid"), "text": _("This unsubscribe link is not valid.")}
        return render(request, "statuspage/message.html", context, status=400)
    if request.method == "POST":
        services.subscriber_unsubscribe(token=token)
        context |= {
            "title": _("Unsubscribed"),
            "text": _("%(email)s will get no more notices from the status page.")
            % {"email": subscriber.email},
        }
        return render(request, "statuspage/message.html", context)
    context |= {
        "title": _("Unsubscribe"),
        "text": _("Stop sending the status page's notices to %(email)s?")
        % {"email": subscriber.email},
        "button": _("Unsubscribe"),
        "plain_form": True,
    }
    return render(request, "statuspage/message.html", context)


# ---------------------------------------------------------------------------------------------
# The console


def desk_staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _error_message(request, error: ServiceError) -> None:
    messages.error(
        request,
        " ".join(f"{field}: {' '.join(reasons)}" for field, reasons in error.errors.items()),
    )


def _form_errors_message(request, form) -> None:
    messages.error(
        request,
        " ".join(
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}"
            for f, e in form.errors.items()
        ),
    )


@require_GET
@desk_staff_required
def desk_status(request):
    return _desk_status_page(request)


def _desk_status_page(request, maintenance_form=None, status: int = 200):
    return render(
        request,
        "statuspage/desk/status.html",
        {
            "nav": "status",
            "components": [
                (c, forms.ComponentStatusForm(initial={"status": c.status}, prefix=f"c{c.pk}"))
                for c in selectors.components_all()
            ],
            "proposals": selectors.proposals(),
            "incidents": selectors.incidents_open(),
            "maintenances": selectors.maintenances_upcoming(),
            "maintenance_form": maintenance_form or forms.MaintenanceForm(),
            "history": selectors.component_history(limit=20),
            "subscribers": selectors.subscribers_count(),
            "now": timezone.now(),
        },
        status=status,
    )


def _component(pk: int) -> Component:
    component = selectors.components_all().filter(pk=pk).first()
    if component is None:
        raise Http404(_("No such component."))
    return component


@require_POST
@desk_staff_required
def desk_component_status(request, pk: int):
    component = _component(pk)
    form = forms.ComponentStatusForm(request.POST, prefix=f"c{pk}")
    if not form.is_valid():
        _form_errors_message(request, form)
        return redirect("desk-status")
    try:
        services.component_status_set(
            component=component,
            actor=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except ServiceError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("%(name)s: status published.") % {"name": component.name})
    return redirect("desk-status")


@require_POST
@desk_staff_required
def desk_proposal_publish(request, pk: int):
    """One click: publish the status proposed from open P1/P2 incidents on the service."""
    component = _component(pk)
    proposal = next((p for p in selectors.proposals() if p.component.pk == component.pk), None)
    if proposal is None:
        messages.error(
            request, _("Nothing is proposed for %(name)s now.") % {"name": component.name}
        )
        return redirect("desk-status")
    services.component_status_set(
        component=component,
        actor=request.user,
        status=proposal.status,
        note=_("Proposed from %(tickets)s")
        % {"tickets": ", ".join(t["number"] for t in proposal.tickets)},
    )
    messages.success(request, _("%(name)s: status published.") % {"name": component.name})
    return redirect("desk-status")


@require_POST
@desk_staff_required
def desk_maintenance_schedule(request):
    form = forms.MaintenanceForm(request.POST)
    if form.is_valid():
        try:
            services.maintenance_schedule(
                actor=request.user,
                title=form.cleaned_data["title"],
                message=form.cleaned_data["message"],
                components=list(form.cleaned_data["components"]),
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except ServiceError as error:
            _errors_apply(form, error)
            return _desk_status_page(request, form, error.status_code)
        messages.success(request, _("Maintenance scheduled."))
        return redirect("desk-status")
    return _desk_status_page(request, form, 400)


@require_POST
@desk_staff_required
def desk_maintenance_cancel(request, pk: int):
    maintenance = Maintenance.objects.filter(pk=pk).first()
    if maintenance is None:
        raise Http404(_("No such maintenance."))
    try:
        services.maintenance_cancel(maintenance=maintenance, actor=request.user)
    except ServiceError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Maintenance cancelled."))
    return redirect("desk-status")


@require_POST
@desk_staff_required
def desk_incident_publish(request, number: str):
    ticket = ticket_selectors.ticket_get(user=request.user, number=number)
    form = forms.PublishForm.for_ticket(ticket, request.POST)
    page = reverse("desk-ticket", args=[ticket.number]) + "#status-panel"
    if not form.is_valid():
        _form_errors_message(request, form)
        return redirect(page)
    try:
        services.incident_publish(
            actor=request.user,
            ticket=ticket,
            title=form.cleaned_data["title"],
            message=form.cleaned_data["message"],
            components=list(form.cleaned_data["components"]),
            component_status=form.cleaned_data["component_status"],
            status=form.cleaned_data["status"],
        )
    except ServiceError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Published on the status page."))
    return redirect(page)


@require_POST
@desk_staff_required
def desk_incident_update(request, pk: int):
    incident = selectors.incident_get(pk=pk)
    if incident is None:
        raise Http404(_("No such incident."))
    if incident.ticket_id:
        # The ticket page's form: the same visibility as the page.
        ticket = ticket_selectors.ticket_get(user=request.user, number=incident.ticket.number)
        page = reverse("desk-ticket", args=[ticket.number]) + "#status-panel"
    else:
        page = reverse("desk-status")
    form = forms.UpdateForm(request.POST, incident=incident)
    if not form.is_valid():
        _form_errors_message(request, form)
        return redirect(page)
    try:
        services.incident_update_post(
            incident=incident,
            actor=request.user,
            status=form.cleaned_data["status"],
            message=form.cleaned_data["message"],
            component_status=form.cleaned_data["component_status"],
        )
    except ServiceError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Update posted on the status page."))
    return redirect(page)
