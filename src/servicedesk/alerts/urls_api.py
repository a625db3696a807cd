from django.urls import path

from servicedesk.alerts import api

urlpatterns = [
    path(
        "alertmanager/<str:key>/", api.AlertmanagerIntakeView.as_view(), name="alerts-alertmanager"
    ),
    path("generic/<str:key>/", api.GenericIntakeView.as_view(), name="alerts-generic"),
    path("integrations/", api.IntegrationListView.as_view(), name="alerts-integrations"),
    path("integrations/<id:pk>/", api.IntegrationDetailView.as_view()),
    path("integrations/<id:pk>/rotate-key/", api.IntegrationRotateKeyView.as_view()),
    path("surges/", api.SurgeListView.as_view(), name="alerts-surges"),
    path("surges/<id:pk>/confirm/", api.SurgeConfirmView.as_view()),
    path("surges/<id:pk>/dismiss/", api.SurgeDismissView.as_view()),
    path("surge-rules/", api.SurgeRuleListView.as_view(), name="alerts-surge-rules"),
    path("surge-rules/<id:pk>/", api.SurgeRuleDetailView.as_view()),
    path(
        "maintenance-windows/",
        api.MaintenanceWindowListView.as_view(),
        name="alerts-maintenance-windows",
    ),
    path("maintenance-windows/<id:pk>/", api.MaintenanceWindowDetailView.as_view()),
    path("", api.AlertListView.as_view(), name="alerts-list"),
]
