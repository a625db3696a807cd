from django.urls import path

from servicedesk.appointments import api, views

# The console: /desk/sessions/…
desk_urls = [
    path("", views.desk_sessions, name="desk-sessions"),
    path("propose/<str:number>/", views.desk_propose, name="desk-session-propose"),
    path("<int:pk>/reschedule/", views.desk_reschedule, name="desk-session-reschedule"),
    path("<int:pk>/cancel/", views.desk_cancel, name="desk-session-cancel"),
    path("<int:pk>/outcome/", views.desk_outcome, name="desk-session-outcome"),
]

# The portal: /sessions/…
portal_urls = [
    path("<int:pk>/respond/", views.portal_respond, name="portal-session-respond"),
]

# The API: /api/sessions/…
api_urls = [
    path("", api.SessionListView.as_view(), name="api-sessions"),
    path("<int:pk>/", api.SessionDetailView.as_view(), name="api-session"),
    path(
        "<int:pk>/reschedule/", api.SessionRescheduleView.as_view(), name="api-session-reschedule"
    ),
    path("<int:pk>/cancel/", api.SessionCancelView.as_view(), name="api-session-cancel"),
    path("<int:pk>/respond/", api.SessionRespondView.as_view(), name="api-session-respond"),
    path("<int:pk>/outcome/", api.SessionOutcomeView.as_view(), name="api-session-outcome"),
]
