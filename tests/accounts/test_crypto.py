import pytest

from app import crypto


def test_round_trip_under_the_newest_key() -> None:
    stored = crypto.encrypt("AB1234567", table="t", column="c", row_id=7)
    assert stored.startswith("v1:t2:") and "AB1234567" not in stored
    assert crypto.decrypt(stored, table="t", column="c", row_id=7) == "AB1234567"


def test_a_ciphertext_copied_to_another_row_or_column_fails() -> None:
    stored = crypto.encrypt("AB1234567", table="t", column="c", row_id=7)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, table="t", column="c", row_id=8)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, table="t", column="other", row_id=7)


def test_older_keys_still_decrypt_and_unknown_keys_fail() -> None:
    old = crypto.parse_keys(["t1:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE="])
    stored = crypto.encrypt("secret", table="t", column="c", row_id=1, ring=old)
    assert crypto.decrypt(stored, table="t", column="c", row_id=1) == "secret"
    unknown = crypto.parse_keys(["zz:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE="])
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(crypto.encrypt("x", table="t", column="c", row_id=1, ring=unknown), table="t", column="c", row_id=1)


def test_tampered_values_fail() -> None:
    stored = crypto.encrypt("secret", table="t", column="c", row_id=1)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored[:-2] + "AA", table="t", column="c", row_id=1)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("garbage", table="t", column="c", row_id=1)


def test_bad_key_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        crypto.parse_keys(["k1:c2hvcnQ="])
    with pytest.raises(ValueError):
        crypto.parse_keys([])
