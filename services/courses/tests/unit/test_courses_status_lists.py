"""Revocation status lists (W3C Bitstring Status List v1.0): the bits, their published encoding, the random
choice of indices, and the credentialStatus of the signed credentials."""

import base64
import gzip
import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import jwt
import pytest
from ibermuseos_contracts.courses import OfferingKind
from ibermuseos_contracts.types import Localized
from ibermuseos_courses.adapters.credentials import STATUS_CONTEXT, CredentialSigner
from ibermuseos_courses.adapters.status_list_credential import sign_status_list
from ibermuseos_courses.domain.bitstring import MINIMUM_BITS, BadEncodedList, Bitstring
from ibermuseos_courses.domain.certificates import Certificate, Wording
from ibermuseos_courses.domain.codes import new_code
from ibermuseos_courses.domain.status_lists import StatusEntry, StatusList
from ibermuseos_kernel.errors import Conflict

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
TEXT = Localized(es="Gestión de colecciones", pt="Gestão de acervos", en="Collections management")


def issued() -> Certificate:
    """A certificate as stored before status lists existed: no status entry."""
    return Certificate(
        id=uuid.uuid4(), enrolment_id=uuid.uuid4(), run_id=uuid.uuid4(), offering_id=uuid.uuid4(),
        kind=OfferingKind.MINI_COURSE, person_id="joao", country="BR", holder_name="João Conceição",
        code=new_code(),
        wording=Wording(
            issuer="Programa Ibermuseos", heading=TEXT, statement=TEXT, title=TEXT, timezone="America/Sao_Paulo"
        ),
        hours=Decimal(6), completed_on=date(2026, 2, 20), issued_at=NOW, language="pt",
    )  # fmt: skip


def test_index_zero_is_the_leftmost_bit_of_the_first_byte() -> None:
    bits = Bitstring.zeros(16)
    bits.set(0)
    bits.set(9)
    assert bits.to_bytes() == bytes([0b1000_0000, 0b0100_0000])
    assert (bits.is_set(0), bits.is_set(1), bits.is_set(9)) == (True, False, True)


def test_the_ones_are_listed_by_index() -> None:
    bits = Bitstring.zeros(64)
    for index in (63, 7, 8, 0):
        bits.set(index)
    assert bits.ones() == [0, 7, 8, 63]


def test_a_bit_outside_the_bitstring_is_refused() -> None:
    bits = Bitstring.zeros(8)
    with pytest.raises(IndexError):
        bits.set(8)
    with pytest.raises(IndexError):
        bits.is_set(-1)


def test_a_bitstring_is_whole_bytes() -> None:
    with pytest.raises(ValueError, match="whole number of bytes"):
        Bitstring.zeros(12)


def test_the_encoded_list_is_multibase_u_base64url_without_padding_of_the_gzipped_bytes() -> None:
    bits = Bitstring.zeros(MINIMUM_BITS)
    bits.set(0)
    bits.set(94_567)
    encoded = bits.encode()
    assert encoded.startswith("u")
    assert not {"=", "+", "/"} & set(encoded)
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert raw == bits.to_bytes()
    assert raw[94_567 // 8] == 0x80 >> (94_567 % 8)


def test_encoding_then_decoding_gives_the_same_bits_and_the_same_bits_encode_the_same() -> None:
    bits = Bitstring.zeros(MINIMUM_BITS)
    for index in (3, 4_000, MINIMUM_BITS - 1):
        bits.set(index)
    assert Bitstring.decode(bits.encode()) == bits
    assert bits.encode() == Bitstring(bits.to_bytes()).encode()
    # The GZIP header carries no modification time (bytes 4-7), so an encoding made at another moment is the same.
    body = bits.encode()[1:]
    compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert compressed[:2] == b"\x1f\x8b"
    assert compressed[4:8] == bytes(4)


@pytest.mark.parametrize("text", ["zH4sI", "u!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode()])
def test_a_list_that_is_not_multibase_base64url_gzip_is_refused(text: str) -> None:
    with pytest.raises(BadEncodedList):
        Bitstring.decode(text)


def test_a_status_list_has_at_least_sixteen_kilobytes_of_bits() -> None:
    assert MINIMUM_BITS == 16 * 1024 * 8
    with pytest.raises(ValueError, match="at least 131072 bits"):
        StatusList.new(id=uuid.uuid4(), size=MINIMUM_BITS - 8, now=NOW)
    assert StatusList.new(id=uuid.uuid4(), size=MINIMUM_BITS, now=NOW).revoked.length == MINIMUM_BITS


def test_indices_are_drawn_at_random_and_never_given_twice() -> None:
    status_list = StatusList.new(id=uuid.uuid4(), size=MINIMUM_BITS, now=NOW)
    draws = iter([42, 42, 7, 42, 7, 99_000])  # the source repeats itself: taken indices are drawn again
    given = [status_list.allocate(lambda _: next(draws)).index for _ in range(3)]
    assert given == [42, 7, 99_000]
    assert status_list.allocated.ones() == [7, 42, 99_000]
    assert status_list.revoked.ones() == []


def test_random_indices_spread_over_the_list_instead_of_counting_up() -> None:
    status_list = StatusList.new(id=uuid.uuid4(), size=MINIMUM_BITS, now=NOW)
    source = random.Random(11)
    given = [status_list.allocate(source.randrange).index for _ in range(100)]
    assert len(set(given)) == 100
    assert sorted(given) != list(range(min(given), min(given) + 100))
    assert max(given) - min(given) > MINIMUM_BITS // 2


def test_a_list_closes_to_new_entries_once_half_its_bits_are_given() -> None:
    status_list = StatusList.new(id=uuid.uuid4(), size=MINIMUM_BITS, now=NOW)
    status_list.allocated_count = MINIMUM_BITS // 2 - 2
    status_list.allocate(random.Random(1).randrange)
    assert status_list.open is True  # one short of half
    status_list.allocate(random.Random(2).randrange)
    assert status_list.open is False
    with pytest.raises(Conflict):
        status_list.allocate(random.Random(1).randrange)


def test_revoking_sets_the_given_bit_and_dates_the_list() -> None:
    status_list = StatusList.new(id=uuid.uuid4(), size=MINIMUM_BITS, now=NOW)
    entry = status_list.allocate(lambda _: 1234)
    status_list.revoke(entry.index, NOW + timedelta(days=2))
    assert status_list.revoked.ones() == [1234]
    assert status_list.updated_at == NOW + timedelta(days=2)


def test_an_index_the_list_never_gave_cannot_be_revoked() -> None:
    status_list = StatusList.new(id=uuid.uuid4(), size=MINIMUM_BITS, now=NOW)
    with pytest.raises(Conflict):
        status_list.revoke(5, NOW)
    assert status_list.revoked.ones() == []


SIGNER = CredentialSigner(
    private_key_pem=None, key_id="k1", issuer_name="Programa Ibermuseos", base_url="https://c.example/"
)


def test_a_credential_with_a_status_entry_points_at_its_bit_in_the_published_list() -> None:
    list_id = uuid.uuid4()
    certificate = replace(issued(), status_entry=StatusEntry(list_id, 94_567))
    credential = SIGNER.credential(certificate, "es")
    url = f"https://c.example/credentials/status/{list_id}"
    assert credential["credentialStatus"] == {
        "id": f"{url}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": url,
    }
    assert STATUS_CONTEXT in credential["@context"]


def test_a_certificate_issued_before_status_lists_gives_a_credential_without_status() -> None:
    credential = SIGNER.credential(issued(), "es")
    assert "credentialStatus" not in credential
    assert STATUS_CONTEXT not in credential["@context"]


def test_the_status_list_credential_is_signed_with_the_credentials_key_and_carries_the_bits() -> None:
    status_list = StatusList.new(id=uuid.uuid4(), size=MINIMUM_BITS, now=NOW)
    status_list.revoke(status_list.allocate(lambda _: 77).index, NOW)
    signed = sign_status_list(SIGNER, status_list, ttl_seconds=60)
    assert jwt.get_unverified_header(signed)["kid"] == "k1"
    claims = jwt.decode(signed, jwt.PyJWK(SIGNER.jwks()["keys"][0]).key, algorithms=[SIGNER.algorithm])
    vc = claims["vc"]
    assert vc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert vc["id"] == claims["jti"] == f"https://c.example/credentials/status/{status_list.id}"
    subject = vc["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"], subject["ttl"]) == (
        "BitstringStatusList",
        "revocation",
        60_000,
    )
    assert Bitstring.decode(subject["encodedList"]).ones() == [77]
    assert sign_status_list(SIGNER, status_list, ttl_seconds=60) == signed  # same bits, same text
