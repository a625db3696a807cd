"""Make a monitoring integration; its routing key is printed on the last line (shown once)."""

from django.core.management.base import BaseCommand, CommandError

from servicedesk.alerts import selectors
from servicedesk.alerts.models import Source
from servicedesk.alerts.services import integration_create
from servicedesk.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create a monitoring integration and print its routing key on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--source", required=True, choices=Source.values)
        parser.add_argument("--service", help="the service's name or id")
        parser.add_argument("--group", help="the default assignment group's name or id")
        parser.add_argument(
            "--auto-resolve",
            action="store_true",
            help="resolve the incident when all its alerts clear (default: tell the agent)",
        )
        parser.add_argument(
            "--page",
            action="store_true",
            help="every incident it opens pages the on-call, whatever its priority and tier",
        )

    def handle(
        self, *args, name, source, service=None, group=None, auto_resolve=False, page=False, **opts
    ):
        try:
            found_service = selectors.service_by_name(service) if service else None
            found_group = selectors.group_by_name(group) if group else None
        except LookupError as error:
            raise CommandError(str(error)) from None
        try:
            integration, key = integration_create(
                name=name,
                source=source,
                service=found_service,
                assignment_group=found_group,
                auto_resolve=auto_resolve,
                page_on_call=page,
            )
        except ValidationFailed as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Integration {integration.name} (id {integration.pk}, {source}).")
        self.stdout.write("Routing key (shown once; only its hash is kept):")
        self.stdout.write(key)
