"""What every PDF the platform makes (fpdf2) shares: the font."""

from pathlib import Path

from fpdf import FPDF

# A Unicode font where the machine has one (Debian's fonts-dejavu-core), so that names in any
# Latin, Greek or Cyrillic script print as written; otherwise the PDF core font, Latin-1 only.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def unicode_font(pdf: FPDF) -> tuple[str, bool]:
    """Add the font to `pdf`: (its family name, whether it prints any Unicode text)."""
    if _DEJAVU.exists() and _DEJAVU_BOLD.exists():
        pdf.add_font("DejaVu", "", str(_DEJAVU))
        pdf.add_font("DejaVu", "B", str(_DEJAVU_BOLD))
        return "DejaVu", True
    return "Helvetica", False
