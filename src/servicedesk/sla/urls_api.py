from django.urls import path

from servicedesk.sla import api

urlpatterns = [
    path("tickets/<str:number>/sla/", api.TicketSlaView.as_view(), name="api-ticket-sla")
]
