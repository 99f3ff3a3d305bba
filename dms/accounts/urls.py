from django.contrib.auth import views as auth_views
from django.urls import path

from dms.accounts import views

# Sign-in and password pages keep Django's names (login, logout, password_*), outside a namespace.
auth_urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

app_name = "accounts"
urlpatterns = [
    path("account/", views.AccountSettingsView.as_view(), name="settings"),
    path("account/tokens/", views.TokenCreateView.as_view(), name="token_create"),
    path("account/tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("account/notifications/", views.NotificationPreferencesView.as_view(), name="preferences"),
    path("account/language/", views.LanguageSetView.as_view(), name="language"),
    path("hq/users/", views.UserListView.as_view(), name="user_list"),
    path("hq/users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("hq/users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("hq/users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("hq/users/<int:pk>/deactivate/", views.UserSetActiveView.as_view(active=False), name="user_deactivate"),
    path("hq/users/<int:pk>/reactivate/", views.UserSetActiveView.as_view(active=True), name="user_reactivate"),
]
