from django.urls import include, path

app_name = "cases"

# Each page family has its own module (names land in the "cases" namespace).
urlpatterns = [
    path("", include("cases.urls_desk")),
    path("field/", include("cases.urls_field")),
    path("performance/", include("cases.urls_performance")),
]
