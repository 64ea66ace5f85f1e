from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("subjek/", views.subject_search, name="subject_search"),
    path("subjek/<int:pk>/", views.subject_report, name="subject_report"),
    path(
        "subjek/<int:pk>/unduh/<str:fmt>/",
        views.subject_report_download,
        name="subject_report_download",
    ),
]
