from django.urls import path

from coverage import views

app_name = "coverage"
urlpatterns = [path("", views.dashboard, name="dashboard")]
