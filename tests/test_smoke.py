import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, UserFactory
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import ScopeError, org_scope
from trustroom.tenancy.services import create_organization


@pytest.mark.django_db
def test_dashboard_for_member():
    user = UserFactory()
    org = create_organization(actor=user, slug="acme", name="Acme")
    client = Client()
    assert client.login(email=user.email, password=TEST_PASSWORD)
    response = client.get("/o/acme/")
    assert response.status_code == 200
    assert b"Acme" in response.content
    with pytest.raises(ScopeError):
        list(AuditEvent.objects.all())
    with org_scope(org):
        assert AuditEvent.objects.get().action == "organization.created"
