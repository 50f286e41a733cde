from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from jifang.accounts.api import views as accounts_api_views
from jifang.core import views as core_views
from jifang.core import views_dataset
from jifang.dashboards import views as dashboards_views

urlpatterns = [
    path("", dashboards_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("search/", dashboards_views.search, name="search"),
    path("pick/<str:kind>/", core_views.pick, name="pick"),
    path("registry/", include("jifang.registry.urls")),
    path("regulation/", include("jifang.regulation.urls")),
    path("works/", include("jifang.works.urls")),
    path("enforcement/", include("jifang.enforcement.urls")),
    path("video/", include("jifang.video.urls")),
    path("duties/", include("jifang.duties.urls")),
    path("national/", include("jifang.national.urls")),
    path("dashboards/", include("jifang.dashboards.urls")),
    path("alarms/", include("jifang.alarms.urls")),
    path("jobs/", include("jifang.jobs.urls")),
    path("inbox/", include("jifang.notifications.urls")),
    path("accounts/api-token/", accounts_api_views.token_page, name="api_token"),
    path("dataset/", views_dataset.dataset_page, name="dataset"),
    path("dataset/<str:kind>.<str:fmt>", views_dataset.dataset_download, name="dataset_download"),
    path("dataset/export/<str:fmt>/", views_dataset.dataset_export_start, name="dataset_export_start"),
    path("dataset/jobs/", views_dataset.dataset_jobs_page, name="dataset_jobs"),
    path("dataset/jobs/<int:pk>/", views_dataset.dataset_job, name="dataset_job"),
    path("dataset/jobs/<int:pk>/file/", views_dataset.dataset_job_file, name="dataset_job_file"),
    path("api/", include("jifang.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script from a URL instead of an inline <script>, so Swagger
    # UI runs under the site's own policy (script-src 'self', no 'unsafe-inline').
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("favicon.ico", lambda request: redirect(static("jifang/favicon.svg"), permanent=True)),
]

handler403 = core_views.forbidden
handler404 = core_views.not_found
handler500 = core_views.server_error
