from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import healthz
from maps.ogc import VIEWS as OGC
from org.views import auth as auth_pages

admin.site.site_header = "城建指挥平台 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("accounts/login/", auth_pages.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_pages.PasswordChangeView.as_view(), name="password_change"),
    path("healthz", login_not_required(healthz), name="healthz"),
    path("admin/", admin.site.urls),
    path("org/", include("org.urls")),
    path("plans/", include("plans.urls")),
    path("projects/", include("projects.urls")),
    path("maps/", include("maps.urls")),
    path("supervision/", include("supervision.urls")),
    path("messages/", include("notify.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("cases/", include("cases.urls")),
    path("api/org/", include("org.api.urls")),
    path("api/plans/", include("plans.api.urls")),
    path("api/projects/", include("projects.api.urls")),
    path("api/supervision/", include("supervision.api")),
    path("api/cases/", include("cases.api.urls")),
    path("ogc/", login_not_required(OGC["landing"]), name="ogc_landing"),
    path("ogc/conformance", login_not_required(OGC["conformance"]), name="ogc_conformance"),
    path("ogc/collections", login_not_required(OGC["collections"]), name="ogc_collections"),
    path("ogc/collections/<str:cid>", login_not_required(OGC["collection"]),
         name="ogc_collection"),
    path("ogc/collections/<str:cid>/items", login_not_required(OGC["items"]), name="ogc_items"),
    path("ogc/collections/<str:cid>/items/<int:fid>", login_not_required(OGC["item"]),
         name="ogc_item"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("core.urls")),
]
