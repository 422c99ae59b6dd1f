"""What the fakes need to read uploads: ``multipart/form-data`` bodies and image types.

:func:`parse_multipart` reads a form body with the standard library's MIME parser (a
form is a MIME multipart message), giving each field's values: text as ``str``, files
as :class:`FilePart`. :func:`sniff` says what image the bytes are by their magic
numbers, as servers do (they do not trust the declared type).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP

__all__ = ["FilePart", "parse_multipart", "sniff"]


@dataclass(frozen=True, slots=True)
class FilePart:
    filename: str
    content_type: str
    data: bytes


def parse_multipart(content_type: str, body: bytes) -> dict[str, list[str | FilePart]]:
    """The fields of a ``multipart/form-data`` body; ValueError if it is not one."""
    if not content_type.startswith("multipart/form-data") or "boundary=" not in content_type:
        raise ValueError(f"not a multipart form: {content_type!r}")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    if not message.is_multipart():
        raise ValueError("the multipart body has no parts")
    fields: dict[str, list[str | FilePart]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("a form part without a name")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        value: str | FilePart
        if filename is not None:
            value = FilePart(filename, part.get_content_type(), data)
        else:
            value = data.decode("utf-8")
        fields.setdefault(name, []).append(value)
    return fields


def sniff(data: bytes) -> str | None:
    """The type of ``data`` by its first bytes (images, and PDF as the usual mistake), or
    None when it is none of these."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:2] == b"BM":
        return "image/bmp"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    return None
