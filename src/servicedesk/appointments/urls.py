from django.urls import path

from servicedesk.appointments import api, views

# The console: /desk/sessions/…
desk_urls = [
    path("", views.desk_sessions, name="desk-sessions"),
    path("propose/<str:number>/", views.desk_propose, name="desk-session-propose"),
    path("<id:pk>/reschedule/", views.desk_reschedule, name="desk-session-reschedule"),
    path("<id:pk>/cancel/", views.desk_cancel, name="desk-session-cancel"),
    path("<id:pk>/outcome/", views.desk_outcome, name="desk-session-outcome"),
]

# The portal: /sessions/…
portal_urls = [
    path("<id:pk>/respond/", views.portal_respond, name="portal-session-respond"),
]

# The API: /api/sessions/…
api_urls = [
    path("", api.SessionListView.as_view(), name="api-sessions"),
    path("<id:pk>/", api.SessionDetailView.as_view(), name="api-session"),
    path("<id:pk>/reschedule/", api.SessionRescheduleView.as_view(), name="api-session-reschedule"),
    path("<id:pk>/cancel/", api.SessionCancelView.as_view(), name="api-session-cancel"),
    path("<id:pk>/respond/", api.SessionRespondView.as_view(), name="api-session-respond"),
    path("<id:pk>/outcome/", api.SessionOutcomeView.as_view(), name="api-session-outcome"),
]
