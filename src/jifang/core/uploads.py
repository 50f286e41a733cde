"""Uploaded files: what they are is read from their first bytes, never from the name or the type
the browser sent, and they are stored and served accordingly.

A file called `report.pdf` that holds HTML, or `photo.jpg.html`, must neither be stored under a
name a web server would serve as a page, nor be sent back to a browser that might render it. So:
- `sniff(upload)` names the type from the content (JPEG, PNG, PDF, DWG);
- `store_as(upload, kind)` renames the upload to a random name with the extension of that type
  (the client's name, with its path tricks and its extension, is not kept on disk);
- `attachment(file, kind, filename)` serves it as a download: `Content-Disposition: attachment`,
  the sniffed content type, `X-Content-Type-Options: nosniff` (and, from NoStoreMiddleware,
  `Cache-Control: no-store`)."""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.http import FileResponse


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    magics: tuple[bytes, ...]


KINDS = (
    Kind("image/jpeg", ".jpg", (b"\xff\xd8\xff",)),
    Kind("image/png", ".png", (b"\x89PNG\r\n\x1a\n",)),
    Kind("application/pdf", ".pdf", (b"%PDF-",)),
    # AutoCAD drawings: "AC10" and a two-digit release (AC1015 = 2000 ... AC1032 = 2018+)
    Kind("image/vnd.dwg", ".dwg", (b"AC10",)),
)
BY_TYPE = {k.content_type: k for k in KINDS}


def sniff(upload) -> Kind | None:
    """The kind of `upload` by its first bytes (the position is restored), or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next((k for k in KINDS if head.startswith(k.magics)), None)


def store_as(upload, kind: Kind):
    """Give `upload` a random name with `kind`'s extension before it is saved to a FileField."""
    upload.name = f"{uuid.uuid4().hex}{kind.extension}"
    return upload


def attachment(file, content_type: str, filename: str) -> FileResponse:
    """Serve a stored upload as a download, never as a page. The name offered to the browser
    carries the extension of the stored (sniffed) file, whatever the title says."""
    kind = BY_TYPE.get(content_type)
    if kind is not None and not filename.lower().endswith(kind.extension):
        filename = f"{filename}{kind.extension}"
    response = FileResponse(file, as_attachment=True, filename=filename,
                            content_type=content_type if kind else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


_TYPE_NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "image/vnd.dwg": "DWG"}


def accept(upload, *, types, max_bytes: int) -> tuple[str, str]:
    """(content type, sha256) of an upload whose content is one of `types` and whose size is at
    most `max_bytes`, renamed by `store_as`; otherwise a bilingual refusal (core.errors.ServiceError)."""
    from .errors import ServiceError

    if upload.size > max_bytes:
        raise ServiceError("文件过大（上限 {mb} MB）", "file too large (limit {mb} MB)", mb=max_bytes // 2**20)
    kind = sniff(upload)
    if kind is None or kind.content_type not in types:
        names = [_TYPE_NAMES[t] for t in types]
        raise ServiceError("文件类型不允许：内容应为 {types_zh}", "file type not allowed: the content must be {types_en}",
                           types_zh="、".join(names[:-1]) + " 或 " + names[-1] if len(names) > 1 else names[0],
                           types_en=", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0])
    store_as(upload, kind)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind.content_type, digest.hexdigest()
