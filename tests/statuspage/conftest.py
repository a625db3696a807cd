import pytest

from servicedesk.statuspage.cache import local_forget


@pytest.fixture(autouse=True)
def _status_page_copies_forgotten():
    """The suite empties the cache before each test; this process's copies of the page go too."""
    local_forget()
    yield
    local_forget()
