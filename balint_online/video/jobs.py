"""The scheduler keeps every meeting's video room in line with the meeting: created, moved, removed."""

from ..jobs.registry import job
from .provisioning import provision_due


@job("video-rooms", every_seconds=60)
def provision_video_rooms(moment):
    return provision_due(moment)
