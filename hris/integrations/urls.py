"""Pages under /integrations/."""

app_name = "integrations"
urlpatterns: list = []
