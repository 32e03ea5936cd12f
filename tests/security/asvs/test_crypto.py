"""The vault's authenticated encryption as the rest of the code uses it (ASVS V11.2.3, V11.3, V11.5)."""

from __future__ import annotations

import pytest

from trustroom.identity.tokens import new_token_parts
from trustroom.vault.crypto import NONCE_BYTES, DecryptionError, document_aad, new_data_key, open_sealed, seal

AAD = document_aad(organization_id=1, document_uid="doc-1")


def test_data_keys_are_random_256_bit_keys() -> None:
    keys = {new_data_key() for _ in range(50)}
    assert len(keys) == 50
    assert {len(key) for key in keys} == {32}


def test_every_seal_draws_a_fresh_nonce_and_carries_a_16_byte_tag() -> None:
    key = new_data_key()
    sealed = [seal(key, b"same plaintext", associated_data=AAD) for _ in range(50)]
    assert len({item[:NONCE_BYTES] for item in sealed}) == 50
    assert {len(item) for item in sealed} == {NONCE_BYTES + len(b"same plaintext") + 16}
    assert all(b"same plaintext" not in item for item in sealed)


def test_any_change_to_the_ciphertext_nonce_tag_or_context_is_refused() -> None:
    key = new_data_key()
    sealed = seal(key, b"secret evidence", associated_data=AAD)
    assert open_sealed(key, sealed, associated_data=AAD) == b"secret evidence"
    for position in (0, NONCE_BYTES, len(sealed) - 1):  # nonce, ciphertext, tag
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            open_sealed(key, bytes(tampered), associated_data=AAD)
    with pytest.raises(DecryptionError):
        open_sealed(key, sealed, associated_data=document_aad(organization_id=2, document_uid="doc-1"))
    with pytest.raises(DecryptionError):
        open_sealed(new_data_key(), sealed, associated_data=AAD)
    with pytest.raises(DecryptionError):
        open_sealed(key, sealed[: NONCE_BYTES + 15], associated_data=AAD)


def test_api_token_secrets_carry_at_least_128_bits() -> None:
    secrets = {new_token_parts()[1] for _ in range(50)}
    assert len(secrets) == 50
    # token_urlsafe(32): 43 base64url characters, 6 bits each.
    assert min(len(secret) for secret in secrets) * 6 >= 256
