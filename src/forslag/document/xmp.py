"""The XMP packet every PDF carries: the PDF/A-2a and PDF/UA-1 claims and the document's Dublin Core."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

PDFA_PART, PDFA_CONFORMANCE, PDFUA_PART = 2, "A", 1

# PDF/A-2 accepts in XMP only the schemas XMP itself predefines, unless the file describes the others;
# the PDF/UA identification schema is not predefined, so it is described here (ISO 14289-1, 5.4).
_UA_EXTENSION = """\
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
     <pdfaProperty:name>part</pdfaProperty:name>
     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
     <pdfaProperty:category>internal</pdfaProperty:category>
     <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>
"""


@dataclass
class Xmp:
    """What the packet states; each text must equal its twin in the PDF's information dictionary (PDF/A)."""

    title: str
    creators: list[str] = field(default_factory=list)
    description: str | None = None
    keywords: str | None = None
    language: str = "da"
    producer: str | None = None
    creator_tool: str | None = None
    created: str | None = None  # W3C date, e.g. 2026-02-20
    modified: str | None = None

    def packet(self) -> bytes:
        """The serialised packet (no clock time in it, so the same document gives the same bytes)."""
        e = escape
        lines = [
            f"   <pdfaid:part>{PDFA_PART}</pdfaid:part>",
            f"   <pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>",
            f"   <pdfuaid:part>{PDFUA_PART}</pdfuaid:part>",
            f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(self.title)}</rdf:li></rdf:Alt></dc:title>',
            f"   <dc:language><rdf:Bag><rdf:li>{e(self.language)}</rdf:li></rdf:Bag></dc:language>",
        ]
        if self.creators:
            people = "".join(f"<rdf:li>{e(c)}</rdf:li>" for c in self.creators)
            lines.append(f"   <dc:creator><rdf:Seq>{people}</rdf:Seq></dc:creator>")
        if self.description:
            lines.append(
                "   <dc:description><rdf:Alt>"
                f'<rdf:li xml:lang="x-default">{e(self.description)}</rdf:li></rdf:Alt></dc:description>'
            )
        for tag, value in (
            ("pdf:Keywords", self.keywords),
            ("pdf:Producer", self.producer),
            ("xmp:CreatorTool", self.creator_tool),
            ("xmp:CreateDate", self.created),
            ("xmp:ModifyDate", self.modified),
        ):
            if value:
                lines.append(f"   <{tag}>{e(value)}</{tag}>")
        body = "\n".join(lines)
        return (
            '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
            'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">\n'
            f"{body}\n"
            "  </rdf:Description>\n"
            f"{_UA_EXTENSION}"
            " </rdf:RDF>\n"
            "</x:xmpmeta>\n"
            '<?xpacket end="r"?>'
        ).encode()
