from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "akun/masuk/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "akun/kata-sandi/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "akun/kata-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("akun/verifikasi/", views.second_factor_verify, name="second_factor_verify"),
    path("akun/verifikasi/pasang/", views.second_factor_setup, name="second_factor_setup"),
    path("akun/kode-pemulihan/", views.recovery_codes, name="recovery_codes"),
    path("akun/keamanan/", views.account_security, name="account_security"),
    path(
        "akun/keamanan/kode-pemulihan-baru/",
        views.renew_recovery_codes,
        name="recovery_codes_renew",
    ),
    path("akun/keamanan/atur-ulang/", views.reset_second_factor, name="second_factor_reset"),
    # The data-subject report, beside the accounts that answer for it (config/urls.py is not
    # this change's to edit).
]
