from django.urls import include, path

app_name = "cases"

urlpatterns = [
    path("performance/", include("cases.urls_performance")),
]
