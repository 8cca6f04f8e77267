"""The files `action=fetch` hands out for a finished simulated report, in its output format.

The content comes from the tenant: the open detections (severity 3 and up, 4 and up for the
High Severity report, 5 for the Top 20) of the first hosts, or the patchable ones for the Patch
report, bounded so a report stays small. Formats follow the API guide: PDF, CSV and XML as
files, HTML as a zip file (the guide: "html (a zip file)"), DOCX as an Office Open XML package.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

from qualys_core.simulator import Tenant, iso
from qualys_vmdr.simulator.operations_data import ReportRecord

__all__ = ["CONTENT_TYPES", "ReportFile", "render_report"]

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xml": "text/xml",
    "html": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_EXTENSIONS = {"pdf": "pdf", "csv": "csv", "xml": "xml", "html": "zip", "docx": "docx"}
_HOSTS = 25
_ROWS = 200
_COLUMNS = ("IP", "DNS", "OS", "QID", "Title", "Severity", "Status", "First Detected")


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    content_type: str
    filename: str


def _threshold(title: str) -> int:
    return {"High Severity Report": 4, "Qualys Top 20 Report": 5}.get(title, 3)


def _rows(tenant: Tenant, report: ReportRecord) -> Iterator[tuple[str, ...]]:
    template = report.template
    least = _threshold(template.title)
    count = 0
    for host in tenant.hosts[:_HOSTS]:
        for detection in tenant.detections(host):
            vuln = tenant.kb.get(detection.qid)
            if detection.status == "Fixed" or detection.severity < least or vuln is None:
                continue
            if template.template_type == "Patch" and not vuln.patchable:
                continue
            yield (host.ip, host.dns, host.os, str(detection.qid), vuln.title,
                   str(detection.severity), detection.status,
                   detection.first_found.date().isoformat())  # fmt: skip
            count += 1
            if count == _ROWS:
                return


def _heading(tenant: Tenant, report: ReportRecord) -> list[str]:
    return [
        report.title,
        f"Template: {report.template.title}",
        f"Generated: {iso(report.launched)} for {tenant.subscription_name}",
    ]


def _csv(heading: list[str], rows: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in heading:
        writer.writerow([line])
    writer.writerow([])
    writer.writerow(_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xml(tenant: Tenant, report: ReportRecord, rows: list[tuple[str, ...]]) -> bytes:
    # A reduced ASSET_DATA_REPORT: header, then each host with its VULN_INFO records.
    hosts: dict[str, list[tuple[str, ...]]] = {}
    for row in rows:
        hosts.setdefault(row[0], []).append(row)
    parts = [
        '<?xml version="1.0" encoding="UTF-8" ?>\n<ASSET_DATA_REPORT><HEADER>',
        f"<COMPANY><![CDATA[{tenant.subscription_name}]]></COMPANY>",
        f"<GENERATION_DATETIME>{iso(report.launched)}</GENERATION_DATETIME>",
        f"<TEMPLATE><![CDATA[{report.template.title}]]></TEMPLATE></HEADER><HOST_LIST>",
    ]
    for ip, found in hosts.items():
        parts.append(
            f"<HOST><IP>{ip}</IP><DNS><![CDATA[{found[0][1]}]]></DNS>"
            f"<OPERATING_SYSTEM><![CDATA[{found[0][2]}]]></OPERATING_SYSTEM><VULN_INFO_LIST>"
        )
        for row in found:
            parts.append(
                f'<VULN_INFO><QID id="qid_{row[3]}">{row[3]}</QID><TYPE>Vuln</TYPE>'
                f"<SEVERITY>{row[5]}</SEVERITY><VULN_STATUS>{row[6]}</VULN_STATUS>"
                f"<FIRST_FOUND>{row[7]}</FIRST_FOUND></VULN_INFO>"
            )
        parts.append("</VULN_INFO_LIST></HOST>")
    parts.append("</HOST_LIST></ASSET_DATA_REPORT>\n")
    return "".join(parts).encode("utf-8")


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with the lines in Helvetica (ASCII; others become '?')."""

    def literal(line: str) -> str:
        text = line.encode("ascii", "replace").decode("ascii")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = lines[:60]
    stream = "BT /F1 8 Tf 10 TL 36 806 Td " + " ".join(f"({literal(x)}) '" for x in shown) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
        "<< /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)


def _zip(report: ReportRecord, members: dict[str, str]) -> bytes:
    moment = report.launched.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=moment), text)
    return buffer.getvalue()


def _html(heading: list[str], rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<p>{escape(line)}</p>" for line in heading)
    cells = "".join(
        "<tr>" + "".join(f"<td>{escape(value)}</td>" for value in row) + "</tr>" for row in rows
    )
    columns = "".join(f"<th>{name}</th>" for name in _COLUMNS)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(heading[0])}</title>"
        f"</head><body>{head}<table><tr>{columns}</tr>{cells}</table></body></html>"
    )


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def _docx(report: ReportRecord, lines: list[str]) -> bytes:
    paragraphs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for line in lines
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs}</w:body></w:document>"
    )
    members = {
        "[Content_Types].xml": _DOCX_TYPES,
        "_rels/.rels": _DOCX_RELS,
        "word/document.xml": document,
    }
    return _zip(report, members)


def render_report(tenant: Tenant, report: ReportRecord) -> ReportFile:
    """The report's file; the same report renders to the same bytes."""
    rows = list(_rows(tenant, report))
    heading = _heading(tenant, report)
    lines = [*heading, "", " | ".join(_COLUMNS)] + [" | ".join(row) for row in rows]
    kind = report.output_format
    if kind == "csv":
        content = _csv(heading, rows)
    elif kind == "xml":
        content = _xml(tenant, report, rows)
    elif kind == "html":
        content = _zip(report, {"report.html": _html(heading, rows)})
    elif kind == "docx":
        content = _docx(report, lines)
    else:
        content = _pdf(lines)
    filename = f"{report.title.replace(' ', '_')}.{_EXTENSIONS[kind]}"
    return ReportFile(content, CONTENT_TYPES[kind], filename)
