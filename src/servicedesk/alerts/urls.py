from django.urls import path

from servicedesk.alerts import views

urlpatterns = [
    path("", views.alert_list, name="alerts-list-page"),
    path("surges/", views.surge_list, name="alerts-surges-page"),
    path("surges/<id:pk>/decide/", views.surge_decide, name="alerts-surge-decide"),
    path("maintenance/", views.maintenance_list, name="alerts-maintenance"),
    path("maintenance/<id:pk>/", views.maintenance_edit, name="alerts-maintenance-edit"),
    path(
        "maintenance/<id:pk>/delete/",
        views.maintenance_delete,
        name="alerts-maintenance-delete",
    ),
]
