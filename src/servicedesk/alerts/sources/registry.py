"""Every source format by name: one line each."""

from servicedesk.alerts.sources import SourceSpec, alertmanager, email, generic, pagerduty

SOURCES: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (alertmanager.SOURCE, pagerduty.SOURCE, generic.SOURCE, email.SOURCE)
}
