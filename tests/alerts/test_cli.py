import subprocess
import sys

import pytest

from servicedesk.alerts.models import Integration
from servicedesk.alerts.services import key_hash
from tests.processes import process_env

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_integration_create_prints_the_key_on_its_last_line(desk, tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "servicedesk.cli",
            "integration",
            "create",
            "--name",
            "Zabbix",
            "--source",
            "generic",
            "--service",
            desk.service.name,
            "--group",
            desk.l1.name,
            "--page",
        ],
        env=process_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    key = run.stdout.strip().splitlines()[-1]
    integration = Integration.objects.get(name="Zabbix")
    assert integration.key_hash == key_hash(key)
    assert (integration.service, integration.assignment_group) == (desk.service, desk.l1)
    assert integration.page_on_call is True and integration.auto_resolve is False


def test_an_unknown_service_is_refused(desk, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "integration", "create", "--name", "Z"]
        + ["--source", "generic", "--service", "No such service"],
        env=process_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "No active service is named 'No such service'" in run.stderr
    assert not Integration.objects.exists()
