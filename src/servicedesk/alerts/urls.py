from django.urls import path

from servicedesk.alerts import views

urlpatterns = [path("", views.alert_list, name="alerts-list-page")]
