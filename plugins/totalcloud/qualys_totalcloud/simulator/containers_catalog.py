"""What the simulated Container Security estate is drawn from: registries and image templates.

Image software names are `Software.product` names of the shared tenant (the KnowledgeBase's
`Vuln.software`), so an image's vulnerabilities are real KB entries. A template's `pins` fix
the version of one product in its first image: those versions carry the well-known CVEs the
tests and the demo rely on (regreSSHion, Log4Shell, the xz backdoor, HTTP/2 Rapid Reset).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "IMAGE_TEMPLATES",
    "REGISTRY_KINDS",
    "SENSOR_VERSIONS",
    "ImageTemplate",
    "RegistryKind",
]


@dataclass(frozen=True, slots=True)
class RegistryKind:
    """A registry images come from. `onboarded` registries are connected to Container
    Security (listed by /registry, scanned on a schedule); the others are only seen on hosts,
    so their images have no `registryUuid` (as in the vendor's image-list sample)."""

    key: str
    name: str
    host: str  # the `repo[].registry` value
    uri: str
    registry_type: str
    onboarded: bool = True


# registryType values: the catalogue's fixture uses "DockerHub"; the others follow the cloud
# vendors' product names, as no stored source lists the enumeration.
REGISTRY_KINDS: tuple[RegistryKind, ...] = (
    RegistryKind("dockerhub", "Docker Hub", "docker.io", "https://registry-1.docker.io",
                 "DockerHub"),
    RegistryKind("ecr", "acme-ecr-prod", "{aws}.dkr.ecr.us-east-1.amazonaws.com",
                 "https://{aws}.dkr.ecr.us-east-1.amazonaws.com", "AWS ECR"),
    RegistryKind("acr", "acmeprod-acr", "acmeprod.azurecr.io", "https://acmeprod.azurecr.io",
                 "Azure ACR"),
    RegistryKind("gcr", "acme-gcr", "gcr.io", "https://gcr.io/acme-platform", "Google GCR"),
    RegistryKind("elastic", "Elastic", "docker.elastic.co", "https://docker.elastic.co",
                 "V2", onboarded=False),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImageTemplate:
    """One repository. `main` is the product whose version makes the tag (public images);
    app images (`main` empty) get semantic-version tags. `runs` templates always have running
    containers (the images behind the demo's findings)."""

    repository: str
    registry: str  # RegistryKind.key
    os: str  # a Linux `Host.os` of the tenant catalogue, so OS-level KB entries apply
    products: tuple[str, ...]
    main: str = ""
    pins: dict[str, str] = field(default_factory=dict)
    runs: bool = False


_GLIBC = "GNU C Library"

IMAGE_TEMPLATES: tuple[ImageTemplate, ...] = (
    ImageTemplate("nginx", "dockerhub", "Debian GNU/Linux 12.7",
                  ("nginx", "OpenSSL", "curl", _GLIBC), "nginx", {"nginx": "1.24.0"}, True),
    ImageTemplate("acme/payments-api", "ecr", "Amazon Linux 2023.6",
                  ("Oracle Java SE", "Apache Log4j", "OpenSSL", _GLIBC), "",
                  {"Apache Log4j": "2.14.1"}, True),
    ImageTemplate("acme/build-agent", "acr", "Ubuntu Linux 22.04.4 LTS",
                  ("OpenSSH", "xz-utils", "curl", "Python", _GLIBC), "",
                  {"OpenSSH": "9.6p1", "xz-utils": "5.6.0"}, True),
    ImageTemplate("acme/bastion", "acr", "Ubuntu Linux 24.04.1 LTS",
                  ("OpenSSH", "OpenSSL", _GLIBC), "", {"OpenSSH": "8.9p1"}, True),
    ImageTemplate("jenkins/jenkins", "dockerhub", "Debian GNU/Linux 12.7",
                  ("Jenkins", "Oracle Java SE", "OpenSSH", "curl", "OpenSSL", _GLIBC),
                  "Jenkins", {"OpenSSH": "9.6p1"}, True),
    ImageTemplate("httpd", "dockerhub", "Debian GNU/Linux 12.7",
                  ("Apache HTTP Server", "OpenSSL", "curl", _GLIBC), "Apache HTTP Server"),
    ImageTemplate("tomcat", "dockerhub", "Ubuntu Linux 22.04.4 LTS",
                  ("Apache Tomcat", "Oracle Java SE", "OpenSSL", _GLIBC), "Apache Tomcat"),
    ImageTemplate("node", "dockerhub", "Debian GNU/Linux 12.7",
                  ("Node.js", "OpenSSL", "curl", "Python", "xz-utils", _GLIBC), "Node.js"),
    ImageTemplate("python", "dockerhub", "Debian GNU/Linux 12.7",
                  ("Python", "OpenSSL", "curl", "xz-utils", _GLIBC), "Python"),
    ImageTemplate("php", "dockerhub", "Debian GNU/Linux 12.7",
                  ("PHP", "Apache HTTP Server", "OpenSSL", "curl", _GLIBC), "PHP"),
    ImageTemplate("postgres", "dockerhub", "Debian GNU/Linux 12.7",
                  ("PostgreSQL", "OpenSSL", "xz-utils", _GLIBC), "PostgreSQL"),
    ImageTemplate("redis", "dockerhub", "Debian GNU/Linux 12.7",
                  ("Redis", "OpenSSL", _GLIBC), "Redis"),
    ImageTemplate("mongo", "dockerhub", "Ubuntu Linux 22.04.4 LTS",
                  ("MongoDB Server", "OpenSSL", _GLIBC), "MongoDB Server"),
    ImageTemplate("grafana/grafana", "dockerhub", "Debian GNU/Linux 12.7",
                  ("Grafana", "OpenSSL", "curl"), "Grafana"),
    ImageTemplate("elasticsearch/elasticsearch", "elastic", "Red Hat Enterprise Linux 9.4",
                  ("Elasticsearch", "Apache Log4j", "Oracle Java SE", _GLIBC), "Elasticsearch"),
    ImageTemplate("acme/web-frontend", "ecr", "Debian GNU/Linux 12.7",
                  ("nginx", "Node.js", "OpenSSL", "curl")),
    ImageTemplate("acme/orders-service", "ecr", "Ubuntu Linux 22.04.4 LTS",
                  ("Python", "PostgreSQL", "OpenSSL", "curl")),
    ImageTemplate("acme/reporting", "gcr", "Red Hat Enterprise Linux 9.4",
                  ("PHP", "Apache HTTP Server", "OpenSSL")),
    ImageTemplate("acme/legacy-crm", "acr", "CentOS Linux 7.9.2009",
                  ("Apache Tomcat", "Oracle Java SE", "Apache Log4j", "OpenSSL", "OpenSSH",
                   _GLIBC), "", {"Apache Log4j": "1.2.17", "OpenSSH": "7.4p1"}),
)  # fmt: skip

SENSOR_VERSIONS: tuple[str, ...] = ("1.36.0-12", "1.35.1-7", "1.34.2-4")
