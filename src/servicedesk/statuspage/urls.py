from django.urls import path, register_converter

from servicedesk.statuspage import api, views
from servicedesk.statuspage.feeds import StatusFeed


class _Part:
    regex = "summary|status|components|scheduled-maintenances|incidents/unresolved"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(_Part, "summary_part")

# Public: /status/…
public_urls = [
    path("", views.status_home, name="status-home"),
    path("incidents/", views.incident_history, name="status-history"),
    path("incidents/<id:pk>/", views.incident_detail, name="status-incident"),
    path("feed.atom", StatusFeed(), name="status-feed"),
    path("subscribe/", views.subscribe, name="status-subscribe"),
    path("confirm/<str:token>/", views.confirm, name="status-confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="status-unsubscribe"),
    path("api/v2/incidents.json", views.api_incidents, name="status-api-incidents"),
    path("api/v2/<summary_part:part>.json", views.api_summary, name="status-api"),
]

# The console: /desk/status/…
desk_urls = [
    path("", views.desk_status, name="desk-status"),
    path("components/<id:pk>/status/", views.desk_component_status, name="desk-status-component"),
    path("components/<id:pk>/publish/", views.desk_proposal_publish, name="desk-status-proposal"),
    path("maintenance/", views.desk_maintenance_schedule, name="desk-status-maintenance"),
    path(
        "maintenance/<id:pk>/cancel/",
        views.desk_maintenance_cancel,
        name="desk-status-maintenance-cancel",
    ),
    path("publish/<str:number>/", views.desk_incident_publish, name="desk-status-publish"),
    path("incidents/<id:pk>/update/", views.desk_incident_update, name="desk-status-update"),
]

# The agents' API: /api/status/…
api_urls = [
    path("components/", api.ComponentListView.as_view(), name="api-status-components"),
    path(
        "components/<id:pk>/status/",
        api.ComponentStatusView.as_view(),
        name="api-status-component-status",
    ),
    path("incidents/", api.IncidentListView.as_view(), name="api-status-incidents"),
    path("incidents/<id:pk>/", api.IncidentDetailView.as_view(), name="api-status-incident"),
    path(
        "incidents/<id:pk>/updates/",
        api.IncidentUpdateView.as_view(),
        name="api-status-incident-updates",
    ),
    path("maintenances/", api.MaintenanceListView.as_view(), name="api-status-maintenances"),
]
