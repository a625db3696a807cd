from django.urls import path

from servicedesk.tickets import actions, api

urlpatterns = [
    path("tickets/", api.TicketListCreateView.as_view(), name="api-tickets"),
    path("tickets/<str:number>/", api.TicketDetailView.as_view(), name="api-ticket"),
    path("tickets/<str:number>/comments/", api.TicketCommentsView.as_view()),
    path("tickets/<str:number>/attachments/", api.TicketAttachmentsView.as_view()),
    path(
        "tickets/<str:number>/attachments/<id:attachment_id>/download/",
        api.AttachmentDownloadView.as_view(),
        name="api-attachment-download",
    ),
    path("tickets/<str:number>/timeline/", api.TicketTimelineView.as_view()),
    path("tickets/<str:number>/tiers/", api.TicketTierHistoryView.as_view()),
    # One endpoint per action of the registry, as it stands when the URLs are loaded.
    *[
        path(
            f"tickets/<str:number>/{spec.name}/",
            api.action_view(spec).as_view(),
            name=f"api-ticket-{spec.name}",
        )
        for spec in actions.actions_all()
        if spec.endpoint
    ],
]
