from django.urls import path

from servicedesk.reports import views

urlpatterns = [
    path("", views.dashboard, name="reports-dashboard"),
    path("export.csv", views.export_csv, name="reports-export"),
]
