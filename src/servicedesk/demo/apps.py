from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo desk and bulk seeding for benchmarks (`seed_demo`, `seed_tickets`)."""

    name = "servicedesk.demo"
    label = "demo"
    verbose_name = "Demo data"
