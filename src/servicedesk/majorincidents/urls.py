from django.urls import path

from servicedesk.majorincidents import api, views

# The console: /desk/major/…
desk_urls = [
    path("", views.major_list, name="desk-major-list"),
    path("reviews/", views.review_list, name="desk-major-reviews"),
    path("declare/<str:number>/", views.major_declare, name="desk-major-declare"),
    path("<id:pk>/", views.major_detail, name="desk-major"),
    path("<id:pk>/roles/", views.major_role, name="desk-major-role"),
    path("<id:pk>/bridge/", views.major_bridge, name="desk-major-bridge"),
    path("<id:pk>/links/", views.major_link, name="desk-major-link"),
    path("<id:pk>/links/<str:number>/remove/", views.major_unlink, name="desk-major-unlink"),
    path("<id:pk>/updates/", views.major_update, name="desk-major-update"),
    path("<id:pk>/resolve/", views.major_resolve, name="desk-major-resolve"),
    path("<id:pk>/review/", views.review_detail, name="desk-major-review"),
    path("<id:pk>/review/items/", views.review_item_add, name="desk-major-review-item"),
    path("items/<id:item_pk>/done/", views.review_item_done, name="desk-major-item-done"),
]

# The agents' API: /api/major/…
api_urls = [
    path("", api.MajorListView.as_view(), name="api-major-list"),
    path("reviews/", api.ReviewListView.as_view(), name="api-major-reviews"),
    path("<id:pk>/", api.MajorDetailView.as_view(), name="api-major"),
    path("<id:pk>/roles/", api.MajorRoleView.as_view(), name="api-major-roles"),
    path("<id:pk>/links/", api.MajorLinkView.as_view(), name="api-major-links"),
    path("<id:pk>/updates/", api.MajorUpdateView.as_view(), name="api-major-updates"),
    path("<id:pk>/resolve/", api.MajorResolveView.as_view(), name="api-major-resolve"),
    path("<id:pk>/review/", api.ReviewDetailView.as_view(), name="api-major-review"),
    path(
        "<id:pk>/review/action-items/",
        api.ActionItemListView.as_view(),
        name="api-major-review-items",
    ),
    path("action-items/<id:item_pk>/", api.ActionItemView.as_view(), name="api-major-item"),
]
