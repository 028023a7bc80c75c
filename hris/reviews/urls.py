"""Pages under /reviews/."""

app_name = "reviews"
urlpatterns: list = []
