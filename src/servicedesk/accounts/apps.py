from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "servicedesk.accounts"
    label = "accounts"
    verbose_name = "People and groups"

    def ready(self):
        from servicedesk.accounts.authentication import connect_signals

        connect_signals()
