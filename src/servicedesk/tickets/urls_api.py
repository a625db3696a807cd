from django.urls import path

from servicedesk.tickets import api

urlpatterns = [
    path("tickets/", api.TicketListCreateView.as_view(), name="api-tickets"),
    path("tickets/<str:number>/", api.TicketDetailView.as_view(), name="api-ticket"),
    path("tickets/<str:number>/comments/", api.TicketCommentsView.as_view()),
    path("tickets/<str:number>/attachments/", api.TicketAttachmentsView.as_view()),
    path(
        "tickets/<str:number>/attachments/<int:attachment_id>/download/",
        api.AttachmentDownloadView.as_view(),
        name="api-attachment-download",
    ),
    path("tickets/<str:number>/timeline/", api.TicketTimelineView.as_view()),
    path("tickets/<str:number>/tiers/", api.TicketTierHistoryView.as_view()),
    *[
        path(f"tickets/<str:number>/{name}/", view.as_view(), name=f"api-ticket-{name}")
        for name, view in api.ACTION_VIEWS.items()
    ],
]
