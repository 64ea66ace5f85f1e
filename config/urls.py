from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ops.views import healthz

admin.site.site_header = _("Sinergi administration")
admin.site.site_title = _("Sinergi")

urlpatterns = [
    path("", include("accounts.urls")),
    path("mitra/", include("partners.urls")),
    path("wilayah/", include("regions.urls")),
    path("cakupan/", include("coverage.urls")),
    path("privasi/", include("privacy.urls")),
    path("", include("enrolment.urls")),  # unggah/ (roster imports) and pekerja/ (workers)
    path("", include("ops.urls")),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
