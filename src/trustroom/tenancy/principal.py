"""Who is acting inside an organization: a member (signed in), an organization API token, or platform
support staff under an owner's time-boxed grant (`support_grant`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trustroom.tenancy.models import Organization, Role

if TYPE_CHECKING:
    from trustroom.identity.models import ApiToken, SupportAccessGrant


@dataclass(frozen=True)
class Principal:
    organization: Organization
    role: str
    user: Any = None  # the signed-in user, or the person who created the token
    token: ApiToken | None = None
    # Set when a staff member who is not a member acts under an owner's support access grant; `role` is
    # then the role the grant's scope acts with (auditor or admin).
    support_grant: SupportAccessGrant | None = None

    @property
    def label(self) -> str:
        if self.token is not None:
            return f"API token {self.token.name} ({self.token.prefix})"
        if self.support_grant is not None:
            email = getattr(self.user, "email", "") or "unknown"
            return f"{email} (support staff, grant {self.support_grant.pk})"
        return getattr(self.user, "email", "") or "system"

    @property
    def is_support(self) -> bool:
        return self.support_grant is not None

    @property
    def is_member(self) -> bool:
        return self.token is None and self.user is not None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


SYSTEM_ROLE = Role.OWNER


def system_principal(organization: Organization) -> Principal:
    """The actor for work the platform does on its own (demo loader, scheduled jobs)."""
    return Principal(organization=organization, role=SYSTEM_ROLE, user=None)
