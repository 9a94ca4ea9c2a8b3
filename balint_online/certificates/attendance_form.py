"""The leaders' attendance grid: one select per member and started meeting, saved with one post."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ..core.forms import Form, choices
from ..video.models import ATTENDANCE_STATUSES
from .attendance import Grid, cell_name

CELL_CHOICES = choices({"": _l("Not recorded"), **ATTENDANCE_STATUSES})


def attendance_form(grid: Grid) -> Form:
    """A form class made for this grid: fields are named by cell_name(meeting, member)."""

    class AttendanceForm(Form):
        pass

    for row in grid.rows:
        for cell in row.cells:
            if cell.editable:
                label = _("%(name)s, meeting %(number)s", name=row.user.name, number=cell.meeting.number)
                setattr(AttendanceForm, cell_name(cell.meeting.id, row.user.id),
                        SelectField(label, choices=CELL_CHOICES, default=cell.choice))
    return AttendanceForm()
