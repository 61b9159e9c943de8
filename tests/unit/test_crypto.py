import pytest

from app.crypto import DecryptionFailed, SecretBox


def test_round_trip() -> None:
    box = SecretBox(["k1"])
    blob = box.seal({"api_token": "s3cr3t-value"}, "connection:a")
    assert b"s3cr3t" not in blob
    assert box.open(blob, "connection:a") == {"api_token": "s3cr3t-value"}


def test_each_seal_uses_a_fresh_nonce() -> None:
    box = SecretBox(["k1"])
    assert box.seal({"a": "b"}, "c") != box.seal({"a": "b"}, "c")


def test_blob_is_bound_to_its_context() -> None:
    box = SecretBox(["k1"])
    blob = box.seal({"a": "b"}, "connection:one")
    with pytest.raises(DecryptionFailed):
        box.open(blob, "connection:two")


def test_tampering_is_detected() -> None:
    box = SecretBox(["k1"])
    blob = bytearray(box.seal({"a": "b"}, "c"))
    blob[-1] ^= 0x01
    with pytest.raises(DecryptionFailed):
        box.open(bytes(blob), "c")


def test_rotation_first_key_seals_all_keys_open() -> None:
    old = SecretBox(["old"])
    blob = old.seal({"password": "hunter2"}, "c")
    rotated = SecretBox(["new", "old"])
    assert rotated.open(blob, "c") == {"password": "hunter2"}
    assert not rotated.is_current(blob)
    resealed = rotated.seal(rotated.open(blob, "c"), "c")
    assert rotated.is_current(resealed)
    with pytest.raises(DecryptionFailed, match="not configured"):
        old.open(resealed, "c")
    assert SecretBox(["new"]).open(resealed, "c") == {"password": "hunter2"}


def test_unknown_key_is_refused() -> None:
    blob = SecretBox(["k1"]).seal({"a": "b"}, "c")
    with pytest.raises(DecryptionFailed):
        SecretBox(["k2"]).open(blob, "c")


def test_no_key_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        SecretBox([])
