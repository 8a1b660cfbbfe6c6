from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("", views.MessagesView.as_view(), name="messages"),
    path("read/", views.mark_read, name="mark_read"),
    path("settings/", views.save_settings, name="settings"),
    path("<int:pk>/open/", views.open_message, name="open"),
]
