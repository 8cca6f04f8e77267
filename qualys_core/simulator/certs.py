"""A self-signed certificate for the loopback simulator, so TLS clients can trust it directly.

The certificate is its own CA (CA:TRUE), names localhost and the loopback addresses, lives 30
days, and its key file is created 0600; point a client at the certificate file as its CA bundle.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["CERT_FILE", "KEY_FILE", "self_signed_certificate"]

CERT_FILE = "simulator-ca.pem"
KEY_FILE = "simulator-key.pem"
_CERT_DAYS = 30


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def self_signed_certificate(
    directory: Path, hostnames: Sequence[str] = ("localhost", "127.0.0.1")
) -> tuple[Path, Path]:
    """Write a self-signed certificate for `hostnames` and its private key into `directory`.

    Returns (certificate file, key file), both PEM. The certificate is its own CA (CA:TRUE), so
    a client trusts the simulator by taking the certificate file as its CA bundle
    (QUALYS_CA_BUNDLE, `curl --cacert`, `requests verify=`,
    `ssl.create_default_context(cafile=)` for httpx). It is valid for 30 days; the key file is
    readable by its owner only.
    """
    if not hostnames:
        raise ValueError("a certificate needs at least one host name")
    key = ec.generate_private_key(ec.SECP256R1())
    public_key = key.public_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "qualys-mcp simulator"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "qualys-mcp simulator (synthetic)"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        # Backdated a little so a client whose clock runs behind still accepts it at once.
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=_CERT_DAYS))
        # The CA-side extensions (critical basic constraints, key usage, key identifiers) are
        # what OpenSSL's strict mode, on by default from Python 3.13, demands of a trust anchor.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([_general_name(h) for h in hostnames]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_file = directory / CERT_FILE
    key_file = directory / KEY_FILE
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created 0600 rather than chmod-ed after writing, so the key is never readable by others;
    # the chmod, still before writing, covers a key file an earlier run left with looser ones.
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        key_file.chmod(0o600)
        handle.write(key_pem)
    return cert_file, key_file
