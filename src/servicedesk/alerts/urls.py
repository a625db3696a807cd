from django.urls import path

from servicedesk.alerts import views

urlpatterns = [
    path("", views.alert_list, name="alerts-list-page"),
    path("surges/", views.surge_list, name="alerts-surges-page"),
    path("surges/<int:pk>/decide/", views.surge_decide, name="alerts-surge-decide"),
]
