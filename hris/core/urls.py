from django.urls import path

from hris.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/", views.my_tasks, name="my_tasks"),
]
