"""The demo desk's people, groups and catalog, written idempotently from `data.py`."""

import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from servicedesk.accounts.models import Role, SupportGroup, User
from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service
from servicedesk.demo import data


@dataclass
class CatalogLeaf:
    """A leaf category with what the seeders need to know about it."""

    category: Category
    branch: data.Branch
    leaf: data.Leaf
    service: Service
    questions: list[DiagnosticQuestion]


@dataclass
class Desk:
    """The seeded desk, looked up once so the ticket seeders need no further queries."""

    groups: dict[str, SupportGroup]  # by group key
    members: dict[str, list[User]]  # group key → its agents, the listed login first
    people: dict[str, User]  # by username
    requesters: list[User]
    monitoring: User
    leaves: list[CatalogLeaf]
    items: dict[str, ConfigurationItem]
    created: dict[str, int] = field(default_factory=dict)  # what this run added, by kind

    def manager_of(self, group_key: str) -> User | None:
        return self.groups[group_key].manager


def email_for(person: data.Person) -> str:
    """firstname.lastname@domain, without diacritics (Ștefan → stefan)."""
    local = person.mailbox or f"{person.first_name}.{person.last_name}".lower().replace(" ", "")
    ascii_local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
    return f"{ascii_local}@{data.DOMAIN}"


def desk_seed() -> Desk:
    """Create what is missing of the demo desk; leave what exists (and any edits to it) alone."""
    created = {"people": 0, "groups": 0, "services": 0, "items": 0, "categories": 0}
    people = _people_seed(created)
    groups = _groups_seed(people, created)
    services = _services_seed(groups, created)
    items = _items_seed(services, created)
    leaves = _categories_seed(groups, services, created)
    members = {
        key: sorted(group.members.all(), key=lambda u: (u.username not in data.LOGINS, u.pk))
        for key, group in groups.items()
    }
    return Desk(
        groups=groups,
        members=members,
        people=people,
        requesters=[people[p.username] for p in data.REQUESTERS],
        monitoring=people[data.MONITORING.username],
        leaves=leaves,
        items=items,
        created=created,
    )


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, groups) of the accounts worth trying first."""
    people = {p.username: p for p in (*data.STAFF, *data.REQUESTERS)}
    rows = []
    for username in data.LOGINS:
        groups = [
            f"{g.name} (L{g.tier})"
            for g in data.GROUPS
            if username in data.MEMBERS.get(g.key, ()) or username == g.manager
        ]
        role = Role(people[username].role).label
        rows.append((username, data.DEMO_PASSWORD, role, ", ".join(groups) or "—"))
    return rows


def _people_seed(created: dict) -> dict[str, User]:
    everyone = (*data.STAFF, *data.REQUESTERS, data.MONITORING)
    existing = {
        u.username: u for u in User.objects.filter(username__in=[p.username for p in everyone])
    }
    # One hash for all: hashing is deliberately slow, and every demo user has the same password.
    password = None
    for person in everyone:
        if person.username in existing:
            continue
        password = password or make_password(data.DEMO_PASSWORD)
        is_admin = person.role == Role.ADMIN
        existing[person.username] = User.objects.create(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=email_for(person),
            phone=person.phone,
            language=person.language,
            time_zone=data.TIME_ZONE,
            role=person.role,
            is_staff=is_admin,
            is_superuser=is_admin,
            password=password,
        )
        created["people"] += 1
    return existing


def _groups_seed(people: dict[str, User], created: dict) -> dict[str, SupportGroup]:
    groups = {}
    for entry in data.GROUPS:
        group, was_created = SupportGroup.objects.get_or_create(
            name=entry.name,
            defaults={
                "tier": entry.tier,
                "description": entry.description,
                "email": f"{entry.key}@{data.DOMAIN}",
                "manager": people[entry.manager],
            },
        )
        if was_created:
            group.members.set([people[username] for username in data.MEMBERS[entry.key]])
            created["groups"] += 1
        groups[entry.key] = group
    return groups


def _services_seed(groups: dict[str, SupportGroup], created: dict) -> dict[str, Service]:
    services = {}
    for entry in data.SERVICES:
        service, was_created = Service.objects.get_or_create(
            name=entry.name,
            defaults={"owner_group": groups[entry.owner], "description": entry.description},
        )
        created["services"] += was_created
        services[entry.name] = service
    return services


def _items_seed(services: dict[str, Service], created: dict) -> dict[str, ConfigurationItem]:
    items = {}
    for entry in data.ITEMS:
        item, was_created = ConfigurationItem.objects.get_or_create(
            name=entry.name,
            defaults={"ci_type": entry.ci_type, "service": services[entry.service]},
        )
        created["items"] += was_created
        items[entry.name] = item
    return items


def _categories_seed(
    groups: dict[str, SupportGroup], services: dict[str, Service], created: dict
) -> list[CatalogLeaf]:
    leaves = []
    for branch in data.CATEGORIES:
        parent, was_created = Category.objects.get_or_create(
            parent=None, name=branch.name, defaults={"description": branch.description}
        )
        created["categories"] += was_created
        for leaf in branch.leaves:
            category, was_created = Category.objects.get_or_create(
                parent=parent,
                name=leaf.name,
                defaults={
                    "description": leaf.description,
                    "default_group": groups.get(leaf.default_group),
                },
            )
            if was_created:
                created["categories"] += 1
                DiagnosticQuestion.objects.bulk_create(
                    DiagnosticQuestion(
                        category=category,
                        text=q.text,
                        help_text=q.help_text,
                        answer_type=q.answer_type,
                        # A text question's options are typical answers, not a list to pick from.
                        choices=list(q.options) if q.answer_type == "choice" else [],
                        required=q.required,
                        position=position,
                    )
                    for position, q in enumerate(leaf.questions, start=1)
                )
            leaves.append(
                CatalogLeaf(
                    category=category,
                    branch=branch,
                    leaf=leaf,
                    service=services[leaf.service],
                    questions=list(category.questions.order_by("position", "id")),
                )
            )
    return leaves
