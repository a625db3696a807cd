"""The notification settings pages: the portal's for requesters, the console's for desk staff.

Both show the same form, a checkbox per topic and channel, the topics being those meant for the
person; a mandatory topic is shown checked and cannot be changed. The view parses the form and
calls `notification_preferences_set`; each person reaches only their own settings.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servicedesk.core.errors import ServiceError
from servicedesk.notifications.preferences import notification_preferences_set, preferences_for


def field_name(topic: str, channel: str) -> str:
    return f"{channel}:{topic}"


def _choices_from(post, person) -> list[tuple[str, str, bool]]:
    """Every changeable checkbox of the page, ticked or not (an unticked box is not sent)."""
    return [
        (row.topic.name, choice.channel, field_name(row.topic.name, choice.channel) in post)
        for row in preferences_for(person=person)
        if not row.topic.mandatory
        for choice in row.choices
        if choice.available
    ]


def _page(request, *, base: str, nav: str, here: str):
    errors = []
    if request.method == "POST":
        try:
            notification_preferences_set(
                person=request.user, choices=_choices_from(request.POST, request.user)
            )
        except ServiceError as error:
            errors = [m for msgs in error.errors.values() for m in msgs]
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect(here)
    rows = preferences_for(person=request.user)
    channels = rows[0].choices if rows else ()
    context = {
        "base": base,
        "nav": nav,
        "rows": [
            (row, [(choice, field_name(row.topic.name, choice.channel)) for choice in row.choices])
            for row in rows
        ],
        "channels": channels,
        "errors": errors,
    }
    return render(request, "notifications/settings.html", context, status=400 if errors else 200)


@login_required
def portal_settings(request):
    if request.user.is_desk_staff:
        return redirect("desk-notification-settings")
    return _page(
        request, base="web/portal_base.html", nav="settings", here="portal-notification-settings"
    )


@login_required
def desk_settings(request):
    if not request.user.is_desk_staff:
        return redirect("portal-notification-settings")
    return _page(
        request, base="web/desk_base.html", nav="settings", here="desk-notification-settings"
    )
