from django.urls import path

from servicedesk.catalog import api

urlpatterns = [
    path("services/", api.ServiceListView.as_view()),
    path("categories/", api.CategoryListView.as_view()),
    path("configuration-items/", api.ConfigurationItemListView.as_view()),
    path("groups/", api.SupportGroupListView.as_view()),
]
