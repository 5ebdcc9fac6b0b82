"""Certificates as Open Badges 3.0 credentials (W3C Verifiable Credentials), signed as VC-JWT.

The credential is built on request from the frozen certificate and signed with the
service's key (RS256 for an RSA key, EdDSA for an Ed25519 one); the public key is served
as a JWK set beside the issuer's profile, so anyone can check a credential offline. Credentials
issued with a status list entry carry `credentialStatus` (a BitstringStatusListEntry, purpose
revocation) pointing at the published list, so a verifier learns of a revocation from the list.
"""

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from ..domain.certificates import Certificate, CertificateStatus
from ..domain.codes import formatted
from ..domain.status_lists import StatusEntry, StatusPurpose

CONTEXTS = [
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
"""The Bitstring Status List terms for credentials of the VC 1.1 data model."""
MEDIA_TYPE = "application/vc+ld+json+jwt"


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class CredentialSigner:
    def __init__(self, *, private_key_pem: str | None, key_id: str, issuer_name: str, base_url: str) -> None:
        key: Any
        if private_key_pem is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            self.algorithm = "RS256"
            public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        elif isinstance(key, ed25519.Ed25519PrivateKey):
            self.algorithm = "EdDSA"
            public_jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
        else:
            raise ValueError("the credential signing key must be RSA or Ed25519")
        self._key = key
        self.key_id = key_id
        self.issuer_name = issuer_name
        self.base_url = base_url.rstrip("/")
        self.public_jwk = {**public_jwk, "kid": key_id, "use": "sig", "alg": self.algorithm}

    @property
    def issuer_id(self) -> str:
        return f"{self.base_url}/issuer"

    def status_list_url(self, list_id: UUID) -> str:
        return f"{self.base_url}/credentials/status/{list_id}"

    def status_entry(self, entry: StatusEntry) -> dict[str, Any]:
        """The credential's `credentialStatus`: its bit in the published revocation list."""
        url = self.status_list_url(entry.list_id)
        return {
            "id": f"{url}#{entry.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": StatusPurpose.REVOCATION.value,
            "statusListIndex": str(entry.index),
            "statusListCredential": url,
        }

    def profile(self) -> dict[str, Any]:
        """The issuer's Open Badges profile, with the key its credentials are signed with."""
        return {
            "@context": CONTEXTS,
            "id": self.issuer_id,
            "type": ["Profile"],
            "name": self.issuer_name,
            "url": self.base_url,
            "publicKey": [self.public_jwk],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}

    def credential(self, certificate: Certificate, language: str) -> dict[str, Any]:
        """The certificate as an OpenBadgeCredential; the holder is named, as on the printed certificate."""
        code = formatted(certificate.code)
        wording = certificate.wording
        entry = certificate.status_entry
        credential: dict[str, Any] = {
            "@context": CONTEXTS if entry is None else [*CONTEXTS, STATUS_CONTEXT],
            "id": f"urn:uuid:{certificate.id}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": self.issuer_id, "type": ["Profile"], "name": self.issuer_name},
            "issuanceDate": iso(certificate.issued_at),
            "name": wording.heading.in_language(language),
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [
                    {
                        "type": "IdentityObject",
                        "identityType": "name",
                        "hashed": False,
                        "identityHash": certificate.holder_name,
                    }
                ],
                "activityEndDate": f"{certificate.completed_on.isoformat()}T00:00:00Z",
                "achievement": {
                    "id": f"{self.base_url}/offerings/{certificate.offering_id}",
                    "type": ["Achievement"],
                    "achievementType": "Course"
                    if certificate.kind.value != "conversatorio"
                    else "Achievement",
                    "name": wording.title.in_language(language),
                    "description": wording.statement.in_language(language),
                    "criteria": {"narrative": wording.statement.in_language(language)},
                    "humanCode": code,
                    "fieldOfStudy": certificate.kind.value,
                },
                "narrative": wording.statement.in_language(language),
            },
            "evidence": [{"id": f"{self.base_url}/verify/{code}", "type": ["Evidence"]}],
        }
        if entry is not None:  # certificates issued before status lists have none
            credential["credentialStatus"] = self.status_entry(entry)
        return credential

    def sign(self, certificate: Certificate, language: str) -> str:
        """The credential as a compact JWS (VC-JWT: the credential in the `vc` claim)."""
        if certificate.status is CertificateStatus.REVOKED:
            raise ValueError("a revoked certificate is not signed")
        credential = self.credential(certificate, language)
        claims = {
            "vc": credential,
            "iss": self.issuer_id,
            "jti": credential["id"],
            "nbf": int(certificate.issued_at.timestamp()),
            "iat": int(certificate.issued_at.timestamp()),
            "sub": f"urn:ibermuseos:certificate:{certificate.id}",
        }
        return self.sign_claims(claims)

    def sign_claims(self, claims: dict[str, Any]) -> str:
        """Claims signed with the service's key, as a compact JWS naming the key (`kid`)."""
        return jwt.encode(
            claims, self._key, algorithm=self.algorithm, headers={"kid": self.key_id, "typ": "JWT"}
        )
