import factory

from servicedesk.accounts.models import Role, SupportGroup, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    phone = factory.Sequence(lambda n: f"+40 700 {n:06d}")
    role = Role.REQUESTER
    password = factory.django.Password("pw-for-tests")


class AgentFactory(UserFactory):
    role = Role.AGENT


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Group {n}")
    tier = 1

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)
