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


def romanian(**english: str) -> dict[str, str]:
    """The `<field>_ro` values of the given English texts, from data.ROMANIAN."""
    return {f"{name}_ro": data.ROMANIAN[text] for name, text in english.items() if text}


def _romanian_fill(obj, **english: str) -> None:
    """Give a row seeded before the catalogue was translated its Romanian; keep any edit."""
    missing = {name: value for name, value in romanian(**english).items() if not getattr(obj, name)}
    if missing:
        for name, value in missing.items():
            setattr(obj, name, value)
        obj.save(update_fields=list(missing))


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
            email_notifications=person.emailed,
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
        names = {"name": entry.name, "description": entry.description}
        group, was_created = SupportGroup.objects.get_or_create(
            name_en=entry.name,
            defaults={
                "description_en": entry.description,
                **romanian(**names),
                "tier": entry.tier,
                "email": f"{entry.key}@{data.DOMAIN}",
                "manager": people[entry.manager],
            },
        )
        if was_created:
            group.members.set([people[username] for username in data.MEMBERS[entry.key]])
            created["groups"] += 1
        else:
            _romanian_fill(group, **names)
        groups[entry.key] = group
    return groups


def _services_seed(groups: dict[str, SupportGroup], created: dict) -> dict[str, Service]:
    services = {}
    for entry in data.SERVICES:
        names = {"name": entry.name, "description": entry.description}
        service, was_created = Service.objects.get_or_create(
            name_en=entry.name,
            defaults={
                "description_en": entry.description,
                **romanian(**names),
                "owner_group": groups[entry.owner],
            },
        )
        created["services"] += was_created
        if not was_created:
            _romanian_fill(service, **names)
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
        names = {"name": branch.name, "description": branch.description}
        parent, was_created = Category.objects.get_or_create(
            parent=None,
            name_en=branch.name,
            defaults={"description_en": branch.description, **romanian(**names)},
        )
        created["categories"] += was_created
        if not was_created:
            _romanian_fill(parent, **names)
        for leaf in branch.leaves:
            names = {"name": leaf.name, "description": leaf.description}
            category, was_created = Category.objects.get_or_create(
                parent=parent,
                name_en=leaf.name,
                defaults={
                    "description_en": leaf.description,
                    **romanian(**names),
                    "default_group": groups.get(leaf.default_group),
                },
            )
            if was_created:
                created["categories"] += 1
                DiagnosticQuestion.objects.bulk_create(
                    _question(category, position, q)
                    for position, q in enumerate(leaf.questions, start=1)
                )
            else:
                _romanian_fill(category, **names)
                _questions_romanian_fill(category, leaf)
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


def _question(category: Category, position: int, q: data.Question) -> DiagnosticQuestion:
    # A text question's options are typical answers, not a list to pick from.
    choices = list(q.options) if q.answer_type == "choice" else []
    return DiagnosticQuestion(
        category=category,
        text_en=q.text,
        help_text_en=q.help_text,
        choices_en=choices,
        **romanian(text=q.text, help_text=q.help_text),
        choices_ro=[data.ROMANIAN[c] for c in choices],
        answer_type=q.answer_type,
        required=q.required,
        position=position,
    )


def _questions_romanian_fill(category: Category, leaf: data.Leaf) -> None:
    """Romanian for the questions of a category seeded before they were translated."""
    for question in category.questions.filter(text_ro__isnull=True):
        seeded = next((q for q in leaf.questions if q.text == question.text_en), None)
        if seeded is not None:
            fresh = _question(category, question.position, seeded)
            question.text_ro, question.help_text_ro = fresh.text_ro, fresh.help_text_ro
            question.choices_ro = fresh.choices_ro
            question.save(update_fields=["text_ro", "help_text_ro", "choices_ro"])
