"""Small real images made with Pillow for the tests (nothing is checked in as a binary).

``padded`` grows a JPEG to a given size with bytes after its end marker, which
decoders ignore: a file over a network's limit without megabytes of pixels to make.
"""

from __future__ import annotations

import io

from PIL import Image

__all__ = ["gif", "image", "jpeg", "padded", "png", "webp"]


def image(kind: str, width: int = 64, height: int = 48, **save: object) -> bytes:
    """A ``width`` × ``height`` picture (a gradient, so it is not one flat colour)."""
    picture = Image.new("RGB", (width, height))
    picture.putdata(
        [
            (x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), 90)
            for y in range(height)
            for x in range(width)
        ]
    )
    out = io.BytesIO()
    picture.save(out, kind, **save)
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48, **save: object) -> bytes:
    return image("JPEG", width, height, **save)


def png(width: int = 64, height: int = 48) -> bytes:
    return image("PNG", width, height)


def webp(width: int = 64, height: int = 48) -> bytes:
    return image("WEBP", width, height)


def gif(frames: int = 1, width: int = 32, height: int = 32) -> bytes:
    """A GIF; with ``frames`` above 1 an animated one."""
    pictures = [Image.new("P", (width, height), color=i * 40) for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=frames > 1, append_images=pictures[1:], duration=100)
    return out.getvalue()


def padded(size: int) -> bytes:
    """A valid JPEG of exactly ``size`` bytes."""
    data = jpeg()
    assert size >= len(data)
    return data + b"\0" * (size - len(data))
