"""Per-app route registries of the cross-tenant harness (see tests/security/cross_tenant.py)."""
