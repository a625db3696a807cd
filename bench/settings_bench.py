"""Settings for benchmarks only: the product's settings with a URLconf that adds the bare view."""

from servicedesk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
