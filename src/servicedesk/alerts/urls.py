from django.urls import path

from servicedesk.alerts import views

urlpatterns = [
    path("", views.alert_list, name="alerts-list-page"),
    path("surges/", views.surge_list, name="alerts-surges-page"),
    path("surges/<int:pk>/decide/", views.surge_decide, name="alerts-surge-decide"),
    path("maintenance/", views.maintenance_list, name="alerts-maintenance"),
    path("maintenance/<int:pk>/", views.maintenance_edit, name="alerts-maintenance-edit"),
    path(
        "maintenance/<int:pk>/delete/",
        views.maintenance_delete,
        name="alerts-maintenance-delete",
    ),
]
