from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from jifang.accounts.api import views as accounts_api_views
from jifang.dashboards import views as dashboards_views
from jifang.core import views_dataset

urlpatterns = [
    path("", dashboards_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("search/", dashboards_views.search, name="search"),
    path("registry/", include("jifang.registry.urls")),
    path("regulation/", include("jifang.regulation.urls")),
    path("works/", include("jifang.works.urls")),
    path("enforcement/", include("jifang.enforcement.urls")),
    path("duties/", include("jifang.duties.urls")),
    path("dashboards/", include("jifang.dashboards.urls")),
    path("accounts/api-token/", accounts_api_views.token_page, name="api_token"),
    path("dataset/", views_dataset.dataset_page, name="dataset"),
    path("dataset/<str:kind>.<str:fmt>", views_dataset.dataset_download, name="dataset_download"),
    path("api/", include("jifang.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
