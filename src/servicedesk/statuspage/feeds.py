"""The status page's Atom feed: incident updates and maintenance announcements, newest first."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from servicedesk.statuspage import selectors
from servicedesk.statuspage.models import IncidentUpdate


class StatusFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return selectors.page_name()

    def link(self):
        return "/status/"

    def subtitle(self):
        return _("Incidents and scheduled maintenance")

    def items(self):
        return selectors.feed_items()

    def item_title(self, item):
        if isinstance(item, IncidentUpdate):
            return f"{item.incident.title} — {item.get_status_display()}"
        return _("Scheduled maintenance: %(title)s") % {"title": item.title}

    def item_description(self, item):
        if isinstance(item, IncidentUpdate):
            return item.body
        return item.message

    def item_link(self, item):
        if isinstance(item, IncidentUpdate):
            return f"/status/incidents/{item.incident_id}/"
        return "/status/"

    def item_guid(self, item):
        kind = "update" if isinstance(item, IncidentUpdate) else "maintenance"
        return f"{settings.SITE_URL}/status/#{kind}-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return getattr(item, "updated_at", item.created_at)
