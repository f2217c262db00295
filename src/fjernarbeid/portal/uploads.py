"""Checks of uploaded photos: size, and type by content (not by the name or the browser's word)."""

from __future__ import annotations

from django.utils.translation import gettext as _

# Leading bytes of the accepted image formats -> file extension.
SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
MAX_PIXELS = 40_000_000


class UploadRejected(Exception):
    pass


def check_image(upload, max_bytes: int) -> str:
    """Return the extension to store the file under, or raise UploadRejected saying why not."""
    if upload.size > max_bytes:
        raise UploadRejected(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    extension = next((ext for sig, ext in SIGNATURES.items() if head.startswith(sig)), None)
    if extension is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        extension = "webp"
    if extension is None:
        raise UploadRejected(_("Only JPEG, PNG and WebP photos can be uploaded."))
    from PIL import Image

    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UploadRejected(_("The photo has too many pixels."))
            image.verify()
    except UploadRejected:
        raise
    except Exception:
        raise UploadRejected(_("The file is not a readable image.")) from None
    finally:
        upload.seek(0)
    return extension
