from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm


class ResetForm(PasswordResetForm):
    """Password reset that also reaches people who never had a password: callers the desk
    created while logging a call set their first one this way. Deactivated people get nothing."""

    def get_users(self, email):
        model = get_user_model()
        field = model.get_email_field_name()
        return model._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
