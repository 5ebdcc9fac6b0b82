"""A verifier's view of revocation, through the HTTP API of the running service: the signed credential names
its bit in a published status list; after a revocation the list, fetched and checked as any verifier would
(signature with the issuer's key set, then multibase, base64url, GZIP, bits), shows the bit set."""

import base64
import gzip
from typing import Any

import httpx
import jwt
import pytest

pytestmark = pytest.mark.integration

PUBLIC_BASE_URL = "https://cursos.ibermuseos.example"
CREDENTIAL_JWT = "application/vc+ld+json+jwt"
MINIMUM_BITS = 131_072  # 16 KB, Bitstring Status List v1.0


def verified_claims(signed: str, key_set: dict[str, Any]) -> dict[str, Any]:
    """The claims of a VC-JWT whose signature checks against the issuer's published key with its `kid`."""
    kid = jwt.get_unverified_header(signed)["kid"]
    (key,) = [k for k in key_set["keys"] if k["kid"] == kid]
    claims: dict[str, Any] = jwt.decode(signed, jwt.PyJWK(key).key, algorithms=[key["alg"]])
    return claims


def bits_of(encoded_list: str) -> bytes:
    """A verifier's own decoding: multibase prefix 'u', base64url without padding, GZIP."""
    assert encoded_list.startswith("u")
    body = encoded_list[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(bitstring: bytes, index: int) -> int:
    """Index 0 is the leftmost bit of the first byte."""
    return (bitstring[index // 8] >> (7 - index % 8)) & 1


async def fetch(http: httpx.AsyncClient, api_url: str, public_url: str, **headers: str) -> httpx.Response:
    assert public_url.startswith(PUBLIC_BASE_URL)
    return await http.get(api_url + public_url.removeprefix(PUBLIC_BASE_URL), headers=headers)


async def test_a_verifier_holding_the_signed_credential_learns_of_its_revocation_from_the_status_list(
    api: Any,
) -> None:
    certificates = await api.certificates(
        "conversatorio", ["olga", "pablo"], subject_area="engagement", hours="2", certificate=True
    )
    key_set = (await api.http.get(f"{api.url}/issuer/jwks.json")).json()
    statuses = []
    for certificate in certificates:
        signed = await api.http.get(
            f"{api.url}/verify/{certificate['verification_code']}/credential",
            headers={"Accept": CREDENTIAL_JWT},
        )
        assert signed.status_code == 200, signed.text
        status = verified_claims(signed.text, key_set)["vc"]["credentialStatus"]
        assert status["type"] == "BitstringStatusListEntry"
        assert status["statusPurpose"] == "revocation"
        assert status["id"] == f"{status['statusListCredential']}#{status['statusListIndex']}"
        statuses.append(status)
    revoked, kept = statuses
    assert revoked["statusListCredential"] == kept["statusListCredential"]
    assert revoked["statusListCredential"].startswith(f"{PUBLIC_BASE_URL}/credentials/status/")
    assert revoked["statusListIndex"] != kept["statusListIndex"]
    list_url = revoked["statusListCredential"]

    before = await fetch(api.http, api.url, list_url)
    assert before.status_code == 200, before.text
    before_bits = bits_of(verified_claims(before.text, key_set)["vc"]["credentialSubject"]["encodedList"])
    assert bit(before_bits, int(revoked["statusListIndex"])) == 0

    response = await api.http.post(
        f"{api.url}/certificates/{certificates[0]['id']}/revoke",
        json={"reason": "Certificado emitido por error"},
        headers=api.coordinator,
    )
    assert response.status_code == 200, response.text

    published = await fetch(api.http, api.url, list_url)
    assert published.status_code == 200, published.text
    assert published.headers["content-type"] == "application/vc+jwt"
    assert published.headers["cache-control"] == "public, max-age=60"
    assert published.headers["etag"] != before.headers["etag"]
    claims = verified_claims(published.text, key_set)
    credential = claims["vc"]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["id"] == list_url
    assert credential["issuer"] == claims["iss"] == f"{PUBLIC_BASE_URL}/issuer"
    subject = credential["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "revocation")
    bitstring = bits_of(subject["encodedList"])
    assert len(bitstring) * 8 >= MINIMUM_BITS
    assert bit(bitstring, int(revoked["statusListIndex"])) == 1
    assert bit(bitstring, int(kept["statusListIndex"])) == 0

    again = await fetch(api.http, api.url, list_url, **{"If-None-Match": published.headers["etag"]})
    assert again.status_code == 304
    verification = (await api.http.get(f"{api.url}/verify/{certificates[0]['verification_code']}")).json()
    assert (verification["valid"], verification["status"]) == (False, "revoked")


async def test_an_unknown_status_list_is_not_found(api: Any) -> None:
    response = await api.http.get(f"{api.url}/credentials/status/8d5f2f5e-5f35-4a8e-9a43-3f1c2b7f0a11")
    assert response.status_code == 404
