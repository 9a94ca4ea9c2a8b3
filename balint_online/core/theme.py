"""The society's look as settings: accent colour and logo, checked at start-up.

`accent_palette` derives from one accent colour the shades the stylesheet needs, each chosen so
that text on it (or it as text on white) keeps WCAG AA contrast whatever colour a society picks.
Plain functions: no Flask, no database.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
AA = 4.5
WHITE = (255, 255, 255)
INK = (0x1F, 0x29, 0x33)


def parse_hex(value: str) -> tuple[int, int, int]:
    """'#1a2b3c' or '#abc' -> (r, g, b); ValueError for anything else."""
    if not isinstance(value, str) or not HEX_COLOUR.fullmatch(value.strip()):
        raise ValueError(f"not a hex colour such as #135e63: {value!r}")
    digits = value.strip()[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(rgb: tuple[int, int, int], other: tuple[int, int, int], share: float) -> tuple[int, int, int]:
    """`share` of `other` mixed into `rgb`."""
    return tuple(round(c + (o - c) * share) for c, o in zip(rgb, other, strict=True))  # type: ignore[return-value]


def _darken_until(rgb: tuple[int, int, int], against: tuple[int, int, int], ratio: float) -> tuple[int, int, int]:
    shade = rgb
    for _ in range(20):
        if contrast(shade, against) >= ratio:
            return shade
        shade = _mix(shade, (0, 0, 0), 0.1)
    return shade


def accent_palette(accent: str) -> dict[str, str]:
    """The accent and what goes with it: --accent (header and buttons), --accent-ink (text on it),
    --accent-text (links on white), --accent-hover, --accent-soft (tinted backgrounds)."""
    rgb = parse_hex(accent)
    if contrast(rgb, WHITE) >= AA:
        surface, ink = rgb, WHITE
    elif contrast(rgb, INK) >= AA:  # a light accent keeps its colour and takes dark text
        surface, ink = rgb, INK
    else:  # a middling one is darkened until white text reads on it
        surface, ink = _darken_until(rgb, WHITE, AA), WHITE
    text = _darken_until(rgb, WHITE, AA)
    hover = _mix(surface, (0, 0, 0), 0.18) if ink == WHITE else _mix(surface, WHITE, 0.2)
    soft = _mix(rgb, WHITE, 0.9)
    return {"accent": to_hex(surface), "accent-ink": to_hex(ink), "accent-text": to_hex(text),
            "accent-hover": to_hex(hover), "accent-soft": to_hex(soft)}


def theme_css(accent: str) -> str:
    """The small stylesheet served at /theme.css, after site.css."""
    tokens = "; ".join(f"--{name}: {value}" for name, value in accent_palette(accent).items())
    return f":root {{ {tokens}; }}\n"


def logo_origin(logo: str) -> str | None:
    """The origin an absolute logo URL loads from (for the CSP's img-src), None for a path under static."""
    parts = urlsplit(logo)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def check_theme(accent: str, logo: str, static_folder: str) -> None:
    """Refuse to start with an accent that is not a hex colour or a logo that cannot load."""
    try:
        parse_hex(accent)
    except ValueError as exc:
        raise RuntimeError(f"Refusing to start: SOCIETY_ACCENT_COLOR is {exc}.") from None
    if not logo:
        return
    parts = urlsplit(logo)
    if parts.scheme or parts.netloc:
        if logo_origin(logo) is None:
            raise RuntimeError(
                f"Refusing to start: SOCIETY_LOGO_URL must be an http(s) URL or a path under static: {logo!r}."
            )
        return

    root = Path(static_folder).resolve()
    path = (root / logo.lstrip("/")).resolve()
    if root not in path.parents or not path.is_file():
        raise RuntimeError(f"Refusing to start: SOCIETY_LOGO_URL {logo!r} is not a file under {root}.")
