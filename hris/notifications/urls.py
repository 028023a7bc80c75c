"""Pages under /notifications/."""

app_name = "notifications"
urlpatterns: list = []
