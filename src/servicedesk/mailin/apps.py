from django.apps import AppConfig
from django.conf import settings


class MailinConfig(AppConfig):
    name = "servicedesk.mailin"
    label = "mailin"
    verbose_name = "Email in"

    def ready(self):
        # Imported here, once the apps are loaded: the tasks module needs the models.
        from servicedesk.core.scheduler import periodic_register
        from servicedesk.mailin import tasks

        # Polls are periodic jobs, not due work: a poll talks to a server and commits each
        # message before marking it taken, which a handler inside the sweep's row transaction
        # cannot do. Each mailbox keeps its own turn (`next_poll_at`, claimed with SKIP LOCKED).
        every = lambda: settings.SERVICEDESK_SWEEP_SECONDS  # noqa: E731
        periodic_register(tasks.mailboxes_poll, every=every)
        periodic_register(tasks.inbound_process, every=every)
