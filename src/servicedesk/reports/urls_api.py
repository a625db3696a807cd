from django.urls import path

from servicedesk.reports import api

urlpatterns = [
    path("summary/", api.ReportSummaryView.as_view(), name="api-reports-summary"),
]
