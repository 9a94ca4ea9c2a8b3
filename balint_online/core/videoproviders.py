"""The video providers the platform knows: the registry the series form and API read, below the video
feature whose clients (video/providers/) it names."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderSpec:
    """One video provider as the platform knows it. Adding a provider is its module in
    video/providers/ and one spec in PROVIDERS: the series form and API (and so the OpenAPI enum), the check of
    BALINT_VIDEO_PROVIDER and the way in all read this.

    name             stored on each series and each Room; never renamed once used.
    label            what people read ("Jitsi Meet").
    module, client   the module in video/providers/ and its VideoProvider class, imported when first asked
                     for (they import video.providers' types).
    settings_prefix  every setting with it reaches the client (BALINT_<PREFIX>... from the environment),
                     as do the common VIDEO_ ones.
    keeps_links      capability: a personal link is asked for once and kept (Zoom registers the person
                     on each request); otherwise links are made afresh for every way in.
    """

    name: str
    label: str
    module: str
    client: str
    settings_prefix: str
    keeps_links: bool = False


PROVIDERS: dict[str, ProviderSpec] = {spec.name: spec for spec in (
    ProviderSpec("jitsi", "Jitsi Meet", "jitsi", "JitsiProvider", "JITSI_"),
    ProviderSpec("zoom", "Zoom", "zoom", "ZoomProvider", "ZOOM_", keeps_links=True),
    ProviderSpec("bigbluebutton", "BigBlueButton", "bigbluebutton", "BigBlueButtonProvider", "BBB_"),
)}
PROVIDER_NAMES = tuple(PROVIDERS)
PROVIDER_LABELS = {spec.name: spec.label for spec in PROVIDERS.values()}
