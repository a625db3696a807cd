from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "servicedesk.sla"
    label = "sla"
    verbose_name = "Service levels"
