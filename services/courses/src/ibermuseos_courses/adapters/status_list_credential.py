"""A status list published as a BitstringStatusListCredential, signed as a VC-JWT with the credentials' key.

Its `issuanceDate` is when its bits last changed, so the same bits give the same signed text (RS256
and EdDSA signatures are deterministic): the HTTP entity tag follows the revocations, nothing else.
"""

import hashlib
from typing import Any

from ..domain.status_lists import StatusList
from .credentials import STATUS_CONTEXT, CredentialSigner, iso

MEDIA_TYPE = "application/vc+jwt"


def status_list_credential(
    signer: CredentialSigner, status_list: StatusList, ttl_seconds: int
) -> dict[str, Any]:
    url = signer.status_list_url(status_list.id)
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1", STATUS_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signer.issuer_id,
        "issuanceDate": iso(status_list.updated_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose.value,
            "encodedList": status_list.revoked.encode(),
            "ttl": ttl_seconds * 1000,
        },
    }


def sign_status_list(signer: CredentialSigner, status_list: StatusList, ttl_seconds: int) -> str:
    credential = status_list_credential(signer, status_list, ttl_seconds)
    moment = int(status_list.updated_at.timestamp())
    return signer.sign_claims(
        {"vc": credential, "iss": signer.issuer_id, "jti": credential["id"], "nbf": moment, "iat": moment}
    )


def entity_tag(signed: str) -> str:
    return '"' + hashlib.sha256(signed.encode()).hexdigest()[:32] + '"'


_PUBLISHED: dict[tuple[Any, ...], tuple[str, str]] = {}
_PUBLISHED_KEPT = 16


def published(signer: CredentialSigner, status_list: StatusList, ttl_seconds: int) -> tuple[str, str]:
    """The signed list and its entity tag, kept for the last few lists and keyed by everything the
    signed text depends on: a list is read far more often than it changes, so it is compressed and
    signed once per change rather than once per request."""
    key = (
        signer,
        status_list.id,
        status_list.purpose,
        status_list.updated_at,
        status_list.revoked.to_bytes(),
        ttl_seconds,
    )
    found = _PUBLISHED.get(key)
    if found is None:
        signed = sign_status_list(signer, status_list, ttl_seconds)
        found = signed, entity_tag(signed)
        if len(_PUBLISHED) >= _PUBLISHED_KEPT:
            del _PUBLISHED[next(iter(_PUBLISHED))]
        _PUBLISHED[key] = found
    return found
