from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from servicedesk.alerts.api import PagerDutyIntakeView
from servicedesk.appointments import urls as session_urls
from servicedesk.majorincidents import urls as major_urls
from servicedesk.notifications import urls as notification_urls
from servicedesk.oncall import urls as oncall_urls
from servicedesk.statuspage import urls as status_urls
from servicedesk.tickets.urls import desk_urls, portal_urls

# Unknown paths under /api/ answer in the API's error shape, others with the HTML page.
handler404 = "servicedesk.core.api.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/alerts/", include("servicedesk.alerts.urls_api")),
    path("v2/enqueue", PagerDutyIntakeView.as_view(), name="alerts-pagerduty"),
    path("desk/alerts/", include("servicedesk.alerts.urls")),
    path("api/", include("servicedesk.sla.urls_api")),
    path("api/", include("servicedesk.tickets.urls_api")),
    path("api/", include(notification_urls.api_urls)),
    path("api/catalog/", include("servicedesk.catalog.urls_api")),
    path("api/reports/", include("servicedesk.reports.urls_api")),
    path("api/status/", include(status_urls.api_urls)),
    path("api/oncall/", include(oncall_urls.api_urls)),
    path("api/major/", include(major_urls.api_urls)),
    path("desk/reports/", include("servicedesk.reports.urls")),
    *notification_urls.desk_urls,
    *notification_urls.portal_urls,
    path("desk/status/", include(status_urls.desk_urls)),
    path("desk/oncall/", include(oncall_urls.desk_urls)),
    path("oncall/", include(oncall_urls.public_urls)),
    path("api/sessions/", include(session_urls.api_urls)),
    path("desk/sessions/", include(session_urls.desk_urls)),
    path("sessions/", include(session_urls.portal_urls)),
    path("desk/major/", include(major_urls.desk_urls)),
    path("status/", include(status_urls.public_urls)),
    path("desk/", include(desk_urls)),
    path("", include(portal_urls)),
    path("", include("servicedesk.web.urls")),
]
