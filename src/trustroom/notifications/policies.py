from typing import Any

from trustroom.notifications.models import Notification
from trustroom.tenancy.narrowing import belonging_to_reader
from trustroom.tenancy.policies import ALL_ROLES, NOBODY, ModelPolicy, register
from trustroom.tenancy.principal import Principal


class NotificationPolicy(ModelPolicy):
    """Anyone's service may notify; each person reads and marks only their own notifications."""

    def allows_object(self, principal: Principal, action: str, obj: Any) -> bool:
        user_id = getattr(principal.user, "pk", None)
        return user_id is not None and obj.recipient_id == user_id


# An auditor's narrowing leaves them their own notifications, as everyone reads only theirs.
register(
    Notification,
    NotificationPolicy(view=ALL_ROLES, add=ALL_ROLES, change=ALL_ROLES, delete=NOBODY),
    period_rule=belonging_to_reader("recipient_id"),
)
