"""Category paths (catalog.selectors.category_paths): cached, yet never stale in a list."""

from django.core.cache import cache

from servicedesk.catalog.models import Category
from servicedesk.catalog.selectors import CATEGORY_PATHS_KEY, category_paths
from tests.catalog.factories import CategoryFactory
from tests.tickets.api_steps import ok
from tests.tickets.factories import ticket_logged


def _listed_categories(client) -> dict[str, dict | None]:
    """{ticket title: its category as the API's ticket list shows it}."""
    return {t["title"]: t["category"] for t in ok(client.get("/api/tickets/"))["results"]}


def test_a_child_category_is_listed_with_its_parent(desk, api_for):
    network = CategoryFactory(name="Network")
    vpn = CategoryFactory(name="VPN", parent=network)
    ticket_logged(requester=desk.requester, title="VPN drops", category=vpn)
    ticket_logged(requester=desk.requester, title="Outlook slow", category=desk.category)
    ticket_logged(requester=desk.requester, title="Something odd")

    listed = _listed_categories(api_for(desk.requester))

    assert listed == {
        "VPN drops": {"id": vpn.pk, "path": "Network › VPN"},
        "Outlook slow": {"id": desk.category.pk, "path": "Email"},
        "Something odd": None,
    }


def test_renaming_a_parent_renames_its_childrens_paths_in_the_next_list(desk, api_for):
    network = CategoryFactory(name="Network")
    vpn = CategoryFactory(name="VPN", parent=network)
    ticket_logged(requester=desk.requester, title="VPN drops", category=vpn)
    ana = api_for(desk.requester)
    assert _listed_categories(ana)["VPN drops"]["path"] == "Network › VPN"

    network.name = "Connectivity"
    network.save()

    assert _listed_categories(ana)["VPN drops"]["path"] == "Connectivity › VPN"


def test_a_renamed_or_retired_category_shows_in_the_next_list(desk, api_for):
    ticket_logged(requester=desk.requester, title="Outlook slow", category=desk.category)
    ana = api_for(desk.requester)
    assert _listed_categories(ana)["Outlook slow"]["path"] == "Email"

    desk.category.name = "Mail"
    desk.category.is_active = False
    desk.category.save()

    # Retired, yet its tickets still say what they were about.
    assert _listed_categories(ana)["Outlook slow"] == {"id": desk.category.pk, "path": "Mail"}


def test_a_category_made_behind_the_caches_back_is_listed_with_its_path(desk, api_for):
    network = CategoryFactory(name="Network")
    ticket_logged(requester=desk.requester, title="Outlook slow", category=desk.category)
    ana = api_for(desk.requester)
    ok(ana.get("/api/tickets/"))
    assert cache.get(CATEGORY_PATHS_KEY.current()) is not None  # the paths are cached now
    # bulk_create skips save(): as if another process had made the category.
    Category.objects.bulk_create([Category(name="Wi-Fi", parent=network)])
    wifi = Category.objects.get(name="Wi-Fi")
    ticket_logged(requester=desk.requester, title="No signal upstairs", category=wifi)

    listed = _listed_categories(ana)

    assert listed["No signal upstairs"] == {"id": wifi.pk, "path": "Network › Wi-Fi"}
    assert listed["Outlook slow"]["path"] == "Email"


def test_paths_cover_the_ids_asked_for_and_are_read_once(desk, django_assert_num_queries):
    printing = CategoryFactory(name="Printing")
    toner = CategoryFactory(name="Toner", parent=printing)
    ids = {toner.pk, desk.category.pk}
    paths = category_paths(ids)
    assert {pk: paths[pk] for pk in ids} == {
        toner.pk: "Printing › Toner",
        desk.category.pk: "Email",
    }

    with django_assert_num_queries(0):
        assert category_paths(ids) == paths
