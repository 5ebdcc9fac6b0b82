"""A development token issuer: an RSA key on disk, its key set as a JWKS file, and a CLI that mints tokens.

Only for local runs and tests; production uses the program's OIDC provider.

    ibermuseos-dev-token --dir .run/dev-issuer --sub ana --role participant --country BR
"""

import argparse
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEV_ISSUER = "http://127.0.0.1/dev-issuer"
AUDIENCE = "ibermuseos"
KEY_FILE = "private.pem"
JWKS_FILE = "jwks.json"


class DevIssuer:
    """Mints RS256 tokens with the claims the platform reads: sub, roles, country, name, email (verified)."""

    def __init__(self, folder: Path, *, issuer: str = DEV_ISSUER, audience: str = AUDIENCE) -> None:
        self.folder = folder
        self.issuer = issuer
        self.audience = audience
        self._key = self._load_or_create()

    @property
    def jwks_url(self) -> str:
        return (self.folder / JWKS_FILE).resolve().as_uri()

    def _load_or_create(self) -> rsa.RSAPrivateKey:
        path = self.folder / KEY_FILE
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            return key
        self.folder.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
        return key

    def _public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": "dev-1", "use": "sig", "alg": "RS256"})
        return jwk

    def write_key_set(self) -> Path:
        """Write the public key set where services read it (`file://` JWKS URL)."""
        path = self.folder / JWKS_FILE
        path.write_text(json.dumps({"keys": [self._public_jwk()]}, indent=2))
        return path

    def token(
        self,
        subject: str,
        *,
        roles: list[str],
        country: str | None = None,
        name: str | None = None,
        email: str | None = None,
        ttl_seconds: int = 12 * 3600,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": str(uuid.uuid4()),
            "roles": roles,
            **extra,
        }
        for claim, value in (("country", country), ("name", name), ("email", email)):
            if value is not None:
                claims[claim] = value
        if email is not None:
            # The development issuer stands for an identity provider that checked the address.
            claims.setdefault("email_verified", True)
        return self.sign(claims)

    def sign(self, claims: dict[str, Any]) -> str:
        """Any claims at all, signed with the issuer's key: for tests of what the platform refuses."""
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "dev-1"})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="ibermuseos-dev-token", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=Path(".run/dev-issuer"))
    parser.add_argument("--sub", required=False)
    parser.add_argument("--role", action="append", default=[])
    parser.add_argument("--country")
    parser.add_argument("--name")
    parser.add_argument("--email")
    parser.add_argument("--ttl", type=int, default=12 * 3600, help="seconds")
    parser.add_argument("--write-key-set", action="store_true", help="only (re)write the JWKS file")
    args = parser.parse_args(argv)
    issuer = DevIssuer(args.dir)
    issuer.write_key_set()
    if args.write_key_set:
        print(issuer.jwks_url)
        return
    if not args.sub:
        parser.error("--sub is required to mint a token")
    print(
        issuer.token(
            args.sub,
            roles=args.role,
            country=args.country,
            name=args.name,
            email=args.email,
            ttl_seconds=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
