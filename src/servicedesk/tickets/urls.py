from django.urls import path

from servicedesk.tickets import views_desk as desk
from servicedesk.tickets import views_portal as portal

desk_urls = [
    path("", desk.queue, name="desk-queue"),
    path("bulk/", desk.bulk, name="desk-bulk"),
    path("views/", desk.saved_view_create, name="desk-view-save"),
    path("views/<id:view_id>/delete/", desk.saved_view_delete, name="desk-view-delete"),
    path("log/", desk.log_call, name="desk-log"),
    path("log/callers/", desk.log_callers, name="desk-log-callers"),
    path("log/questions/", desk.log_questions, name="desk-log-questions"),
    path("log/priority/", desk.log_priority, name="desk-log-priority"),
    path("tickets/<str:number>/", desk.ticket_detail, name="desk-ticket"),
    path("tickets/<str:number>/do/<slug:name>/", desk.ticket_action, name="desk-ticket-action"),
    path("tickets/<str:number>/comment/", desk.ticket_comment, name="desk-ticket-comment"),
    path(
        "tickets/<str:number>/attachments/<id:attachment_id>/",
        portal.attachment_download,
        name="desk-attachment",
    ),
]

portal_urls = [
    path("report/", portal.report, name="portal-report"),
    path("tickets/<str:number>/", portal.ticket_detail, name="portal-ticket"),
    path("tickets/<str:number>/reply/", portal.reply, name="portal-reply"),
    path("tickets/<str:number>/confirm/", portal.confirm, name="portal-confirm"),
    path("tickets/<str:number>/rate/", portal.rate, name="portal-rate"),
    path("tickets/<str:number>/reopen/", portal.reopen, name="portal-reopen"),
    path("tickets/<str:number>/withdraw/", portal.withdraw, name="portal-withdraw"),
    path(
        "tickets/<str:number>/attachments/<id:attachment_id>/",
        portal.attachment_download,
        name="portal-attachment",
    ),
]
