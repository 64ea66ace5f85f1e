from django.urls import path

from regions import views

app_name = "regions"
urlpatterns = [
    path("", views.province_list, name="province_list"),
    path("<str:code>/", views.province_detail, name="province_detail"),
]
