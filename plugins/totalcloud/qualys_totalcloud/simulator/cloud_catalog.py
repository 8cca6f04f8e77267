# ruff: noqa: E501 - one control per line reads as the table it is
"""Static catalogues the simulated cloud estate draws from: controls, resource kinds, policies.

Control ids, names and services are modelled on TotalCloud's CIS-based controls; the numbers
are the simulator's own (no public source lists the real CIDs). Resource type names for AWS
and Azure are the ones TotalCloud's inventory API accepts (qualysdk's VALID_RESOURCETYPES);
the GCP and OCI names besides the VM types of catalogue §10 (T4) are not corroborated.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CIS_POLICY",
    "CONTROLS",
    "MANDATES",
    "PROVIDERS",
    "RESOURCE_KINDS",
    "VM_TYPES",
    "Control",
    "ResourceKind",
]

PROVIDERS = ("AWS", "AZURE", "GCP", "OCI")
VM_TYPES = MappingProxyType(
    {"AWS": "EC2_INSTANCE", "AZURE": "VIRTUAL_MACHINE", "GCP": "VM_INSTANCE", "OCI": "INSTANCE"}
)
CIS_POLICY = MappingProxyType(
    {
        "AWS": "CIS Amazon Web Services Foundations Benchmark",
        "AZURE": "CIS Microsoft Azure Foundations Benchmark",
        "GCP": "CIS Google Cloud Platform Foundation Benchmark",
        "OCI": "CIS Oracle Cloud Infrastructure Foundations Benchmark",
    }
)
_BEST = MappingProxyType(
    {
        "AWS": "AWS Best Practices Policy",
        "AZURE": "Azure Best Practices Policy",
        "GCP": "GCP Best Practices Policy",
        "OCI": "OCI Best Practices Policy",
    }
)

PCI = "PCI DSS v4.0"
NIST = "NIST SP 800-53 Rev 5"
HIPAA = "HIPAA"
ISO = "ISO/IEC 27001:2022"
SOC2 = "SOC 2"
MANDATES = (PCI, NIST, HIPAA, ISO, SOC2)


@dataclass(frozen=True, slots=True)
class Control:
    """One posture control: what it checks, on which resource type, and how often it fails."""

    cid: int
    provider: str
    name: str
    service: str
    resource_type: str
    criticality: str  # "CRITICAL" | "HIGH" | "MEDIUM" | "LOW"
    policies: tuple[str, ...]
    mandates: tuple[str, ...]
    fail_rate: float
    # Internet-facing VMs fail network-exposure controls far more often.
    exposure: bool = False


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """A non-VM resource type of one provider and how many of it an account holds."""

    provider: str
    resource_type: str
    service: str
    low: int
    high: int


def _c(
    cid: int,
    provider: str,
    service: str,
    resource_type: str,
    criticality: str,
    name: str,
    fail_rate: float,
    mandates: tuple[str, ...],
    *,
    cis: bool = True,
    exposure: bool = False,
) -> Control:
    policies = (CIS_POLICY[provider], _BEST[provider]) if cis else (_BEST[provider],)
    return Control(
        cid, provider, name, service, resource_type, criticality, policies, mandates, fail_rate,
        exposure,
    )  # fmt: skip


CONTROLS: tuple[Control, ...] = (
    # AWS
    _c(1, "AWS", "IAM", "IAM_USER", "HIGH", "Ensure MFA is enabled for all IAM users that have a console password", 0.22, (PCI, NIST, ISO, SOC2)),
    _c(2, "AWS", "IAM", "IAM_USER", "MEDIUM", "Ensure access keys are rotated every 90 days or less", 0.35, (PCI, NIST, SOC2)),
    _c(3, "AWS", "IAM", "IAM_USER", "MEDIUM", "Ensure IAM users receive permissions only through groups", 0.18, (NIST, ISO)),
    _c(21, "AWS", "S3", "BUCKET", "CRITICAL", "Ensure S3 buckets block public access", 0.08, (PCI, NIST, HIPAA, ISO, SOC2)),
    _c(22, "AWS", "S3", "BUCKET", "HIGH", "Ensure S3 bucket default encryption is enabled", 0.15, (PCI, HIPAA, ISO)),
    _c(23, "AWS", "S3", "BUCKET", "LOW", "Ensure S3 bucket access logging is enabled", 0.4, (PCI, NIST), cis=False),
    _c(41, "AWS", "VPC", "VPC_SECURITY_GROUP", "CRITICAL", "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22", 0.12, (PCI, NIST, ISO)),
    _c(42, "AWS", "VPC", "VPC_SECURITY_GROUP", "CRITICAL", "Ensure no security groups allow ingress from 0.0.0.0/0 to port 3389", 0.07, (PCI, NIST, ISO)),
    _c(61, "AWS", "EC2", "EC2_INSTANCE", "HIGH", "Ensure EC2 instances use IMDSv2 (instance metadata service version 2)", 0.3, (NIST, SOC2)),
    _c(62, "AWS", "EC2", "EC2_INSTANCE", "HIGH", "Ensure EC2 instances do not have a public IP address", 0.1, (PCI, NIST), exposure=True),
    _c(63, "AWS", "EC2", "EC2_INSTANCE", "MEDIUM", "Ensure EC2 instances are managed by AWS Systems Manager", 0.25, (NIST,), cis=False),
    _c(64, "AWS", "EBS", "EBS", "HIGH", "Ensure EBS volume encryption is enabled", 0.2, (PCI, HIPAA, ISO)),
    _c(81, "AWS", "RDS", "RDS", "HIGH", "Ensure RDS instances are not publicly accessible", 0.06, (PCI, HIPAA, NIST)),
    _c(82, "AWS", "RDS", "RDS", "MEDIUM", "Ensure RDS storage encryption is enabled", 0.12, (PCI, HIPAA, ISO)),
    _c(91, "AWS", "Lambda", "LAMBDA", "LOW", "Ensure Lambda functions do not use deprecated runtimes", 0.3, (NIST,), cis=False),
    # Azure
    _c(201, "AZURE", "Virtual Machine", "VIRTUAL_MACHINE", "HIGH", "Ensure virtual machines use managed disks with encryption at host", 0.2, (PCI, HIPAA, ISO)),
    _c(202, "AZURE", "Virtual Machine", "VIRTUAL_MACHINE", "HIGH", "Ensure virtual machines are not directly exposed to the internet", 0.1, (PCI, NIST), exposure=True),
    _c(203, "AZURE", "Virtual Machine", "VIRTUAL_MACHINE", "MEDIUM", "Ensure endpoint protection is installed on virtual machines", 0.18, (PCI, NIST, SOC2)),
    _c(221, "AZURE", "Storage Account", "STORAGE_ACCOUNT", "CRITICAL", "Ensure public network access is disabled for storage accounts", 0.1, (PCI, NIST, HIPAA, ISO, SOC2)),
    _c(222, "AZURE", "Storage Account", "STORAGE_ACCOUNT", "HIGH", "Ensure secure transfer required is enabled for storage accounts", 0.08, (PCI, HIPAA)),
    _c(241, "AZURE", "Network Security Group", "NETWORK_SECURITY_GROUP", "CRITICAL", "Ensure RDP access from the internet is restricted", 0.09, (PCI, NIST, ISO)),
    _c(242, "AZURE", "Network Security Group", "NETWORK_SECURITY_GROUP", "CRITICAL", "Ensure SSH access from the internet is restricted", 0.11, (PCI, NIST, ISO)),
    _c(261, "AZURE", "SQL Server", "SQL_SERVER", "HIGH", "Ensure auditing is enabled on SQL servers", 0.25, (PCI, HIPAA, SOC2)),
    _c(262, "AZURE", "SQL Server", "SQL_SERVER", "HIGH", "Ensure no SQL server firewall rule allows ingress from 0.0.0.0/0", 0.12, (PCI, NIST)),
    _c(281, "AZURE", "Web App", "WEB_APP", "MEDIUM", "Ensure web apps redirect all HTTP traffic to HTTPS", 0.2, (PCI, HIPAA)),
    _c(282, "AZURE", "Key Vault", "SECRETS", "MEDIUM", "Ensure an expiration date is set on all secrets", 0.35, (NIST, ISO)),
    # GCP
    _c(401, "GCP", "Compute Engine", "VM_INSTANCE", "HIGH", "Ensure instances do not use the default service account with full API access", 0.2, (NIST, ISO)),
    _c(402, "GCP", "Compute Engine", "VM_INSTANCE", "HIGH", "Ensure instances do not have public IP addresses", 0.12, (PCI, NIST), exposure=True),
    _c(403, "GCP", "Compute Engine", "VM_INSTANCE", "MEDIUM", "Ensure Shielded VM is enabled for instances", 0.3, (NIST,)),
    _c(421, "GCP", "Cloud Storage", "BUCKET", "CRITICAL", "Ensure Cloud Storage buckets are not anonymously or publicly accessible", 0.07, (PCI, NIST, HIPAA, ISO, SOC2)),
    _c(422, "GCP", "Cloud Storage", "BUCKET", "MEDIUM", "Ensure uniform bucket-level access is enabled", 0.25, (NIST, ISO)),
    _c(441, "GCP", "VPC Network", "FIREWALL_RULE", "CRITICAL", "Ensure SSH access is restricted from the internet", 0.1, (PCI, NIST, ISO)),
    _c(461, "GCP", "Cloud SQL", "SQL_INSTANCE", "HIGH", "Ensure Cloud SQL instances require SSL for incoming connections", 0.2, (PCI, HIPAA)),
    # OCI
    _c(601, "OCI", "Compute", "INSTANCE", "HIGH", "Ensure the legacy instance metadata service endpoint is disabled", 0.25, (NIST,)),
    _c(602, "OCI", "Compute", "INSTANCE", "HIGH", "Ensure compute instances have no public IP address", 0.12, (PCI, NIST), exposure=True),
    _c(621, "OCI", "Object Storage", "BUCKET", "CRITICAL", "Ensure no Object Storage buckets are publicly visible", 0.08, (PCI, NIST, HIPAA, ISO, SOC2)),
    _c(641, "OCI", "Networking", "SECURITY_LIST", "CRITICAL", "Ensure no security lists allow ingress from 0.0.0.0/0 to port 22", 0.12, (PCI, NIST, ISO)),
)  # fmt: skip

RESOURCE_KINDS: tuple[ResourceKind, ...] = (
    ResourceKind("AWS", "IAM_USER", "IAM", 4, 18),
    ResourceKind("AWS", "BUCKET", "S3", 3, 14),
    ResourceKind("AWS", "VPC_SECURITY_GROUP", "VPC", 4, 16),
    ResourceKind("AWS", "EBS", "EBS", 2, 10),
    ResourceKind("AWS", "RDS", "RDS", 0, 4),
    ResourceKind("AWS", "LAMBDA", "Lambda", 1, 12),
    ResourceKind("AZURE", "STORAGE_ACCOUNT", "Storage Account", 2, 9),
    ResourceKind("AZURE", "NETWORK_SECURITY_GROUP", "Network Security Group", 3, 10),
    ResourceKind("AZURE", "SQL_SERVER", "SQL Server", 0, 3),
    ResourceKind("AZURE", "WEB_APP", "Web App", 1, 6),
    ResourceKind("AZURE", "SECRETS", "Key Vault", 2, 12),
    ResourceKind("GCP", "BUCKET", "Cloud Storage", 2, 10),
    ResourceKind("GCP", "FIREWALL_RULE", "VPC Network", 3, 12),
    ResourceKind("GCP", "SQL_INSTANCE", "Cloud SQL", 0, 3),
    ResourceKind("OCI", "BUCKET", "Object Storage", 1, 6),
    ResourceKind("OCI", "SECURITY_LIST", "Networking", 2, 6),
)
