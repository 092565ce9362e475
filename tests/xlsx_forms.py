"""Workbooks written by hand, part by part, in the forms real programs save (for test_xlsx.py).

xlsxwriter and openpyxl write one form each; Excel, WPS, LibreOffice, Google, Numbers, Tencent
Docs and .NET OpenXML exports write others. Each test builds the form it is about here, so the
form is on the page, not hidden in a library.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET = f"{REL}/worksheet"
CHARTSHEET = f"{REL}/chartsheet"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""


def sheet_xml(rows: str, prefix: str = "") -> str:
    """A worksheet around the given <row>s (written with the given prefix, e.g. 'x:')."""
    p = prefix
    xmlns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns} '
            f'xmlns:r="{REL}"><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>')


def workbook_xml(names: list[str], prefix: str = "", date1904: bool = False) -> str:
    p = prefix
    xmlns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    pr = f'<{p}workbookPr date1904="1"/>' if date1904 else ""
    sheets = "".join(f'<{p}sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}workbook {xmlns} xmlns:r="{REL}">'
            f'{pr}<{p}sheets>{sheets}</{p}sheets></{p}workbook>')


def rels_xml(kinds: list[str], prefix: str = "", extra: str = "") -> str:
    p = prefix
    xmlns = f'xmlns:{p[:-1]}="{PKG}"' if p else f'xmlns="{PKG}"'
    rels = "".join(f'<{p}Relationship Id="rId{i}" Type="{kind}" Target="{"chartsheets" if kind == CHARTSHEET else "worksheets"}/sheet{i}.xml"/>'
                   for i, kind in enumerate(kinds, 1))
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}Relationships {xmlns}>{rels}{extra}</{p}Relationships>'


def styles_xml(formats: list[int], custom: dict[int, str] | None = None, dxfs: str = "") -> str:
    """cellXfs: style 0 is General, style i (from 1) has number format formats[i-1]."""
    custom = custom or {}
    num_fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in custom.items())
    xfs = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' + "".join(
        f'<xf numFmtId="{f}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' for f in formats)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
            + (f'<numFmts count="{len(custom)}">{num_fmts}</numFmts>' if custom else "")
            + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(formats) + 1}">{xfs}</cellXfs>{dxfs}</styleSheet>')


def sst_xml(items: list[str]) -> str:
    """A shared-string table of raw <si> bodies (e.g. '<t>a</t>' or rich runs)."""
    body = "".join(f"<si>{item}</si>" for item in items)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="{len(items)}" '
            f'uniqueCount="{len(items)}">{body}</sst>')


def write_book(path: Path, sheets: dict[str, str], *, parts: dict[str, str | bytes] | None = None,
               prefix: str = "", date1904: bool = False, kinds: list[str] | None = None) -> Path:
    """An .xlsx of the given tabs ({title: sheet XML}), with any part replaced or added via parts."""
    names = list(sheets)
    kinds = kinds or [WORKSHEET] * len(names)
    files: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(names, prefix, date1904),
        "xl/_rels/workbook.xml.rels": rels_xml(kinds, prefix),
    }
    for i, (kind, xml) in enumerate(zip(kinds, sheets.values()), 1):
        files[f"xl/{'chartsheets' if kind == CHARTSHEET else 'worksheets'}/sheet{i}.xml"] = xml
    files.update(parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def inline(ref: str, text: str, space: bool = False) -> str:
    preserve = ' xml:space="preserve"' if space else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def number(ref: str, value: str, style: int | None = None) -> str:
    s = f' s="{style}"' if style is not None else ""
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


HEADER_ROW = '<row r="1">' + inline("A1", "a") + inline("B1", "b") + "</row>"


ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')


def ods_cell(kind: str, attrs: str = "", text: str = "") -> str:
    return f'<table:table-cell office:value-type="{kind}" {attrs}><text:p>{text}</text:p></table:table-cell>'


def write_ods(path: Path, tables: dict[str, list[str]]) -> Path:
    """An OpenDocument spreadsheet as LibreOffice saves it: {table name: its <table:table-row>s}."""
    body = "".join(f'<table:table table:name="{name}">{"".join(rows)}</table:table>' for name, rows in tables.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")    # first, stored
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path
