from django.urls import path

from servicedesk.majorincidents import api, views

# The console: /desk/major/…
desk_urls = [
    path("", views.major_list, name="desk-major-list"),
    path("reviews/", views.review_list, name="desk-major-reviews"),
    path("declare/<str:number>/", views.major_declare, name="desk-major-declare"),
    path("<int:pk>/", views.major_detail, name="desk-major"),
    path("<int:pk>/roles/", views.major_role, name="desk-major-role"),
    path("<int:pk>/bridge/", views.major_bridge, name="desk-major-bridge"),
    path("<int:pk>/links/", views.major_link, name="desk-major-link"),
    path("<int:pk>/links/<str:number>/remove/", views.major_unlink, name="desk-major-unlink"),
    path("<int:pk>/updates/", views.major_update, name="desk-major-update"),
    path("<int:pk>/resolve/", views.major_resolve, name="desk-major-resolve"),
    path("<int:pk>/review/", views.review_detail, name="desk-major-review"),
    path("<int:pk>/review/items/", views.review_item_add, name="desk-major-review-item"),
    path("items/<int:item_pk>/done/", views.review_item_done, name="desk-major-item-done"),
]

# The agents' API: /api/major/…
api_urls = [
    path("", api.MajorListView.as_view(), name="api-major-list"),
    path("reviews/", api.ReviewListView.as_view(), name="api-major-reviews"),
    path("<int:pk>/", api.MajorDetailView.as_view(), name="api-major"),
    path("<int:pk>/roles/", api.MajorRoleView.as_view(), name="api-major-roles"),
    path("<int:pk>/links/", api.MajorLinkView.as_view(), name="api-major-links"),
    path("<int:pk>/updates/", api.MajorUpdateView.as_view(), name="api-major-updates"),
    path("<int:pk>/resolve/", api.MajorResolveView.as_view(), name="api-major-resolve"),
    path("<int:pk>/review/", api.ReviewDetailView.as_view(), name="api-major-review"),
    path(
        "<int:pk>/review/action-items/",
        api.ActionItemListView.as_view(),
        name="api-major-review-items",
    ),
    path("action-items/<int:item_pk>/", api.ActionItemView.as_view(), name="api-major-item"),
]
