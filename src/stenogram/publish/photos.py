"""Photo uploads: only real images of the accepted types, re-encoded so that nothing of the
file but its pixels survives (EXIF with its GPS position, XMP, comments, ICC quirks), with a
thumbnail. A decompression bomb (a small file that decodes to gigapixels) is refused before it
is decoded, by Pillow's own pixel limit, lowered here to what a press photo needs.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import BadUpload

#: Largest upload accepted, in bytes.
MAX_BYTES: Final = 20 * 1024 * 1024
#: Largest image accepted, in pixels (a 50-megapixel camera's frame); beyond it a file is
#: refused as a possible decompression bomb before any pixel is decoded.
MAX_PIXELS: Final = 50_000_000
#: Accepted formats (Pillow's names) and the type each is served as after re-encoding.
FORMATS: Final = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: Longest side of a thumbnail, and of the stored image.
THUMB_SIDE: Final = 320
MAX_SIDE: Final = 4000
QUALITY: Final = 88


@dataclass(frozen=True, slots=True)
class Processed:
    media_type: str
    width: int
    height: int
    image: bytes
    thumbnail: bytes


def process(data: bytes, name: str = "the upload") -> Processed:
    """The stored form of an uploaded photo; :class:`BadUpload` says why a file is refused."""
    if not data:
        raise BadUpload("the file is empty", document=name)
    if len(data) > MAX_BYTES:
        raise BadUpload(f"the file is larger than {MAX_BYTES // 2**20} MB", document=name)
    try:
        with warnings.catch_warnings():
            # Pillow warns between its limit and twice it; anything over our limit is refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                kind = opened.format or ""
                if kind not in FORMATS:
                    raise BadUpload(
                        f"{kind or 'this'} images are not accepted (only JPEG, PNG, WebP)",
                        document=name,
                    )
                _check_size(opened.width, opened.height, name)
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadUpload(_bomb(), document=name) from exc
    except UnidentifiedImageError as exc:
        raise BadUpload("this is not an image (JPEG, PNG or WebP)", document=name) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadUpload(f"the image cannot be read: {exc}", document=name) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    stored, media_type = _encode(image, kind)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return Processed(media_type, image.width, image.height, stored, _encode(thumb, kind)[0])


def _check_size(width: int, height: int, name: str) -> None:
    if width * height > MAX_PIXELS:
        raise BadUpload(_bomb(), document=name)


def _bomb() -> str:
    return (
        f"the image is larger than {MAX_PIXELS // 1_000_000} megapixels "
        "(refused as a possible decompression bomb)"
    )


def _encode(image: Image.Image, kind: str) -> tuple[bytes, str]:
    """Pixels only: a new file written from the decoded image carries no metadata."""
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=QUALITY)
    else:
        mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA", "P") else "RGBA"
        image.convert(mode).save(out, "PNG", optimize=True)
    return out.getvalue(), FORMATS[kind]
