"""The video provider registry: one spec per provider, read by the client factory, the series form and
API (and so the OpenAPI enum), the configuration check and the way in."""

import importlib

import pytest
import requests

from balint_online import create_app
from balint_online.core.videoproviders import PROVIDER_LABELS, PROVIDER_NAMES, PROVIDERS
from balint_online.series.forms import SeriesForm
from balint_online.video.providers import (
    ProviderConfigError,
    VideoProvider,
    get_provider,
    provider_settings,
    spec_of,
)


@pytest.mark.parametrize("name", PROVIDER_NAMES)
def test_every_spec_names_its_client_class(name):
    spec = PROVIDERS[name]
    client_class = getattr(importlib.import_module(f"balint_online.video.providers.{spec.module}"), spec.client)
    assert client_class.name == name and spec.label
    for method in ("create_room", "update_room", "delete_room", "join_url"):
        assert callable(getattr(client_class, method))


def test_a_client_gets_every_setting_with_its_prefix():
    settings = provider_settings({"JITSI_SOMETHING_NEW": "kept", "JITSI_BASE_URL": "https://meet.example.org",
                                  "VIDEO_HTTP_TIMEOUT": 3, "UNRELATED": "dropped"})
    assert settings["JITSI_SOMETHING_NEW"] == "kept" and "UNRELATED" not in settings
    client = get_provider("jitsi", settings, requests.Session())
    assert isinstance(client, VideoProvider) and client.base_url == "https://meet.example.org"


def test_an_unknown_provider_is_refused_naming_the_known_ones():
    with pytest.raises(ProviderConfigError, match="known: " + ", ".join(PROVIDER_NAMES)):
        spec_of("skype")
    with pytest.raises(ProviderConfigError):
        get_provider("skype", {})


def test_the_app_refuses_to_start_with_a_default_provider_no_spec_describes(tmp_path):
    with pytest.raises(ProviderConfigError, match="'skype'"):
        create_app({"VIDEO_PROVIDER": "skype", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_capabilities_are_data():
    assert PROVIDERS["zoom"].keeps_links and not PROVIDERS["jitsi"].keeps_links


def test_the_form_and_the_openapi_enum_list_every_provider(app, client):
    with app.test_request_context():
        offered = [(choice.value, choice.label) for choice in SeriesForm().video_provider.choices]
    assert offered == list(PROVIDER_LABELS.items())
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["components"]["schemas"]["SeriesCreate"]["properties"]["video_provider"]
    enums = [option["enum"] for option in body["anyOf"] if "enum" in option]
    assert enums == [list(PROVIDER_NAMES)]
