"""Pages under /integrations/webhooks/."""

app_name = "webhooks"
urlpatterns: list = []
