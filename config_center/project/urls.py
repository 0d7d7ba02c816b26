"""URL root: the JSON API at /api/v1/, the admin at /admin/, /healthz. The one module that mounts every app."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import health
from .api import api_urls, direct_urls

urlpatterns = [
    *direct_urls(),  # first: the runtime reads are most requests (api.direct_urls)
    path("api/v1/", api_urls()),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # For a load balancer. health.HealthCheckMiddleware answers it first (any Host, no HTTPS redirect); the
    # route keeps it reachable and reversible should the middleware be left out.
    path(health.PATH.lstrip("/"), health.healthz, name="healthz"),
]
