"""Pages under /integrations/connectors/."""

app_name = "connectors"
urlpatterns: list = []
