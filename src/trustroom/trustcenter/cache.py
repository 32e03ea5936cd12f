"""The rendered trust center is cached per organization; every write that changes what it shows calls
`invalidate_trust_center` (after commit)."""

from __future__ import annotations


def invalidate_trust_center(organization_id: int) -> None:
    """Drop the cached trust center pages of one organization. Safe to call inside a transaction."""
