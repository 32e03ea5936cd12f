"""Fixtures of the security tests: an empty file store of the test's own (the vault tests' fixture)."""

from tests.vault.conftest import storage_dir

__all__ = ["storage_dir"]
