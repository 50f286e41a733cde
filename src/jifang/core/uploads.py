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
