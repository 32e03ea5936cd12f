from typing import Any

from django.http import HttpRequest

from trustroom.tenancy.narrowing import current_narrowing
from trustroom.tenancy.selectors import memberships_of_user


def organizations(request: HttpRequest) -> dict[str, Any]:
    """The organization switcher: the signed-in person's organizations and the current one; and whether
    the page is read narrowed to an auditor's periods (pages say so where a list comes out shorter)."""
    return {
        "my_memberships": memberships_of_user(getattr(request, "user", None)),
        "current_org": getattr(request, "organization", None),
        "principal": getattr(request, "principal", None),
        "reader_narrowed": current_narrowing() is not None,
    }
