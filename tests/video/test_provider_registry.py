"""The video provider registry: one spec per provider, read by the client factory, the series form and
API (and so the OpenAPI enum), the configuration check and the way in."""

import pytest
import requests

from balint_online import create_app
from balint_online.series.forms import SeriesForm
from balint_online.video.providers import (PROVIDER_LABELS, PROVIDER_NAMES, PROVIDERS, ProviderConfigError,
                                           VideoProvider, get_provider, provider_settings, spec_of)


@pytest.mark.parametrize("name", PROVIDER_NAMES)
def test_every_spec_names_a_client_that_gets_every_setting_with_its_prefix(name):
    spec = PROVIDERS[name]
    settings = provider_settings({f"{spec.settings_prefix}SOMETHING_NEW": "kept", "VIDEO_HTTP_TIMEOUT": 3,
                                  "UNRELATED": "dropped", **_minimal_settings(name)})
    assert settings[f"{spec.settings_prefix}SOMETHING_NEW"] == "kept" and "UNRELATED" not in settings
    client = get_provider(name, settings, requests.Session())
    assert isinstance(client, VideoProvider) and client.name == name
    assert type(client).__name__ == spec.client


def _minimal_settings(name):
    return {"jitsi": {}, "zoom": {"ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "c", "ZOOM_CLIENT_SECRET": "s"},
            "bigbluebutton": {"BBB_URL": "http://127.0.0.1:9/bigbluebutton/", "BBB_SECRET": "s"}}[name]


def test_an_unknown_provider_is_refused_naming_the_known_ones():
    with pytest.raises(ProviderConfigError, match="known: jitsi, zoom, bigbluebutton"):
        spec_of("skype")
    with pytest.raises(ProviderConfigError):
        get_provider("skype", {})


def test_the_app_refuses_to_start_with_a_default_provider_no_spec_describes(tmp_path):
    with pytest.raises(ProviderConfigError, match="'skype'"):
        create_app({"VIDEO_PROVIDER": "skype", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_capabilities_are_data():
    assert [name for name, spec in PROVIDERS.items() if spec.keeps_links] == ["zoom"]


def test_the_form_and_the_openapi_enum_list_every_provider(app, client):
    with app.test_request_context():
        assert [(choice.value, choice.label) for choice in SeriesForm().video_provider.choices] == list(PROVIDER_LABELS.items())
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["components"]["schemas"]["SeriesCreate"]["properties"]["video_provider"]
    enums = [option["enum"] for option in body["anyOf"] if "enum" in option]
    assert enums == [list(PROVIDER_NAMES)]
