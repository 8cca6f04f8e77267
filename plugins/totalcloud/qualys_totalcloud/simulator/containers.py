"""Simulated Container Security image endpoints (`/csapi/v1.3/images...`, gateway, module CS),
and `routes()`, which gathers every Container Security route (the others are in
`containers_inventory`).

Image paths take the sha or the 12-digit image id: the vendor documents `{imageSha}` but its
own vuln-count sample sends an image id, and qualys-mcp sends either (§12a S3).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    ParameterError,
    SimRequest,
    SimRoute,
    gateway_error,
    json_response,
)
from qualys_totalcloud.simulator.container_data import (
    ContainerEstate,
    Image,
    ImageVuln,
    estate,
    image_sha,
)
from qualys_totalcloud.simulator.containers_inventory import inventory_routes
from qualys_totalcloud.simulator.containers_qql import (
    Term,
    in_use_since,
    page,
    parse_filter,
    sort_items,
)
from qualys_totalcloud.simulator.containers_records import (
    counts_record,
    image_record,
    software_record,
    vuln_record,
)

__all__ = ["CONTRACT_IMAGE", "routes"]

MODULE = "CS"
IMAGE_TOKENS = (
    "imageId",
    "sha",
    "repo.repository",
    "repo.tag",
    "repo.registry",
    "operatingSystem",
    "imagesInUse",
    "vulnerabilities.severity",
    "vulnerabilities.qid",
    "vulnerabilities.cveids",
)
VULN_TOKENS = ("vulnerabilities.severity", "vulnerabilities.qid", "vulnerabilities.cveids")
VULN_TYPES = ("SUMMARY", "DETAILS", "ALL")

# The first image of every tenant with hosts (its tag is pinned), so contract cases can name it.
CONTRACT_IMAGE = image_sha("nginx", "1.24.0")


def _vuln_matches(found: ImageVuln, term: Term) -> bool:
    vuln = found.vuln
    if term.key == "vulnerabilities.severity":
        return str(vuln.severity) in term.values
    if term.key == "vulnerabilities.qid":
        return str(vuln.qid) in term.values
    wanted = {v.upper() for v in term.values}
    return any(cve.upper() in wanted for cve in vuln.cves)


def _image_matches(est: ContainerEstate, image: Image, term: Term, now: datetime) -> bool:
    key, values = term.key, {v.lower() for v in term.values}
    if key.startswith("vulnerabilities."):
        return any(_vuln_matches(found, term) for found in image.vulns)
    if key == "imagesInUse":
        used = est.last_used(image)
        return used is not None and used >= in_use_since(term, now)
    if key == "operatingSystem":
        return any(v in image.os.lower() for v in values)
    field = {
        "imageId": image.image_id,
        "sha": image.sha,
        "repo.repository": image.repository,
        "repo.tag": image.tag,
        "repo.registry": image.registry_host,
    }[key]
    return field.lower() in values


def _checked_severity(terms: Sequence[Term]) -> None:
    for term in terms:
        if term.key == "vulnerabilities.severity" and not all(
            v in ("1", "2", "3", "4", "5") for v in term.values
        ):
            raise ParameterError("filter", term.value, "needs a severity 1 to 5 for")


async def list_images(request: SimRequest) -> Response:
    est = estate(request.tenant)
    terms = parse_filter(request.param("filter"), IMAGE_TOKENS)
    _checked_severity(terms)
    now = request.tenant.now
    found = [i for i in est.images if all(_image_matches(est, i, t, now) for t in terms)]
    found = sort_items(
        request, found, {"created": lambda i: i.created, "updated": lambda i: i.updated}
    )
    rows = [image_record(est, image) for image in page(request, found)]
    return json_response({"data": rows, "count": len(found)})


def _image(request: SimRequest) -> tuple[ContainerEstate, Image] | Response:
    est = estate(request.tenant)
    image = est.image(request.path_params["image"])
    if image is None:
        return gateway_error("Image not found", status=404, code="404 NOT_FOUND")
    return est, image


async def image_detail(request: SimRequest) -> Response:
    found = _image(request)
    if isinstance(found, Response):
        return found
    request.count(1)
    return json_response(image_record(*found, detail=True))


async def image_vulns(request: SimRequest) -> Response:
    found = _image(request)
    if isinstance(found, Response):
        return found
    kind = (request.param("type") or "ALL").upper()
    if kind not in VULN_TYPES:
        raise ParameterError("type", kind, f"must be one of {', '.join(VULN_TYPES)}:")
    if (request.param("applyException") or "true").lower() not in ("true", "false"):
        raise ParameterError("applyException", request.param("applyException") or "")
    terms = parse_filter(request.param("filter"), VULN_TOKENS)
    _checked_severity(terms)
    vulns = [v for v in found[1].vulns if all(_vuln_matches(v, t) for t in terms)]
    vulns = sort_items(
        request,
        vulns,
        {
            "vulnerabilities.qid": lambda v: v.vuln.qid,
            "qid": lambda v: v.vuln.qid,
            "vulnerabilities.severity": lambda v: v.vuln.severity,
        },
    )
    request.count(len(vulns))
    return json_response({"details": [vuln_record(v) for v in vulns]})


async def image_vuln_count(request: SimRequest) -> Response:
    found = _image(request)
    if isinstance(found, Response):
        return found
    request.count(1)
    return json_response(counts_record(found[1].severity_counts()))


async def image_software(request: SimRequest) -> Response:
    found = _image(request)
    if isinstance(found, Response):
        return found
    image = found[1]
    if request.param("filter"):
        raise ParameterError("filter", request.param("filter") or "", "is not served here:")
    rows = [software_record(image, s) for s in page(request, image.software)]
    return json_response({"data": rows, "count": len(image.software)})


def _case(params: dict[str, str], client: str, *keys: str, status: int = 200) -> ContractCase:
    return ContractCase(
        "GET", "/csapi/v1.3/images", client=client, params=params, json_keys=keys, status=status
    )


_IMAGE_PATH = f"/csapi/v1.3/images/{CONTRACT_IMAGE}"


def image_routes() -> list[SimRoute]:
    return [
        SimRoute(
            name="totalcloud.cs_images",
            host="gateway",
            path="/csapi/v1.3/images",
            methods=("GET",),
            handler=list_images,
            module=MODULE,
            endpoint_class="containers",
            contract=(
                _case(
                    {"sort": "created:desc", "pageSize": "50", "pageNumber": "1"},
                    "qualys-mcp get_images (§12a S1)",
                    "data.imageId",
                    "data.repo.repository",
                    "data.vulnerabilities.severity5Count",
                    "count",
                ),
                _case(
                    {
                        "sort": "created:desc",
                        "filter": "vulnerabilities.severity:5",
                        "pageSize": "50",
                        "pageNumber": "1",
                    },
                    "qualys-mcp get_images_by_vulns (§12a S1)",
                    "data.sha",
                    "count",
                ),
                _case(
                    {
                        "filter": "imagesInUse:'[now-7d ... now]'",
                        "pageNumber": "1",
                        "pageSize": "50",
                        "sort": "created:desc",
                    },
                    "vendor sample, Fetch a List of Images in Your Account",
                    "data.uuid",
                ),
                _case(
                    {"filter": "vulnerabilities.cveids:CVE-2023-44487", "pageSize": "100"},
                    "public CS clients' CVE search (vulnerabilities.cveids QQL)",
                    "data.imageId",
                ),
                _case(
                    {"filter": "malware.name:x"},
                    "any client: an unknown token is a 400",
                    "message",
                    status=400,
                ),
            ),
        ),
        SimRoute(
            name="totalcloud.cs_image",
            host="gateway",
            path="/csapi/v1.3/images/{image}",
            methods=("GET",),
            handler=image_detail,
            module=MODULE,
            endpoint_class="containers",
            contract=(
                ContractCase(
                    "GET",
                    _IMAGE_PATH,
                    client="qualys-mcp get_image_details (§12a S3)",
                    json_keys=("repo.tag", "repo.repository", "created", "softwares.name"),
                ),
                ContractCase(
                    "GET",
                    "/csapi/v1.3/images/000000000000",
                    status=404,
                    client="qualys-mcp get_image_details: an unknown image",
                    json_keys=("message",),
                ),
            ),
        ),
        SimRoute(
            name="totalcloud.cs_image_vulns",
            host="gateway",
            path="/csapi/v1.3/images/{image}/vuln",
            methods=("GET",),
            handler=image_vulns,
            module=MODULE,
            endpoint_class="containers",
            contract=(
                ContractCase(
                    "GET",
                    f"{_IMAGE_PATH}/vuln",
                    client="qualys-mcp get_image_vulns_api (§12a S4)",
                    json_keys=(
                        "details.qid",
                        "details.severity",
                        "details.cveids",
                        "details.patchAvailable",
                    ),
                ),
                ContractCase(
                    "GET",
                    f"{_IMAGE_PATH}/vuln",
                    client="vendor sample, Fetch Vulnerability Details for an Image",
                    params={
                        "type": "ALL",
                        "sort": "vulnerabilities.qid:asc",
                        "applyException": "false",
                    },
                    json_keys=("details.qid", "details.software.name"),
                ),
            ),
        ),
        SimRoute(
            name="totalcloud.cs_image_vuln_count",
            host="gateway",
            path="/csapi/v1.3/images/{image}/vuln/count",
            methods=("GET",),
            handler=image_vuln_count,
            module=MODULE,
            endpoint_class="containers",
            contract=(
                ContractCase(
                    "GET",
                    f"/csapi/v1.3/images/{CONTRACT_IMAGE[:12]}/vuln/count",
                    client="qualys-mcp get_image_vuln_count (§12a S5); vendor sample",
                    json_keys=("severity5Count", "severity1Count"),
                ),
            ),
        ),
        SimRoute(
            name="totalcloud.cs_image_software",
            host="gateway",
            path="/csapi/v1.3/images/{image}/software",
            methods=("GET",),
            handler=image_software,
            module=MODULE,
            endpoint_class="containers",
            contract=(
                ContractCase(
                    "GET",
                    f"{_IMAGE_PATH}/software",
                    params={"pageSize": "100"},
                    client="qualys-mcp get_image_software (§12a S6)",
                    json_keys=("data.name", "data.version"),
                ),
            ),
        ),
    ]


def routes() -> list[SimRoute]:
    return [*image_routes(), *inventory_routes()]
