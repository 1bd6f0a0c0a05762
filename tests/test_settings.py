"""Settings: the declared table read into one frozen object, with values checked on the way in."""

from __future__ import annotations

import pytest

from stenogram.errors import ConfigError
from stenogram.settings import load_settings


def test_public_url_is_an_origin_without_trailing_slash() -> None:
    env = {"STENOGRAM_PUBLIC_URL": "https://archive.example.org/"}
    assert load_settings(environ=env).public_url == "https://archive.example.org"
    assert load_settings(environ={}).public_url is None


@pytest.mark.parametrize("bad", ["archive.example.org", "ftp://x.org", "https://x.org/?a=1"])
def test_public_url_that_is_not_an_http_origin_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ConfigError, match="STENOGRAM_PUBLIC_URL"):
        load_settings(environ={"STENOGRAM_PUBLIC_URL": bad})
