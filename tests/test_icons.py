"""The favicon, the icons and the web app manifest (issue 22): "Add to home screen" gives a real
icon and the Vietnamese name; /favicon.ico answers without a login."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

from wards.middleware import CONTENT_SECURITY_POLICY

ROOT = Path(settings.BASE_DIR)
MANIFEST = ROOT / "static" / "manifest.webmanifest"
PRIMARY = "#0a58ca"  # the navbar's --bs-primary-rgb: 10, 88, 202 (static/css/app.css)
PNG_ICONS = {
    "icons/icon-192.png": 192,
    "icons/icon-512.png": 512,
    "icons/icon-maskable-512.png": 512,
    "icons/apple-touch-icon.png": 180,
}


def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_the_manifest_names_the_app_in_vietnamese():
    data = manifest()
    assert data["name"] == "Đồng Hành — Sổ công tác xã hội tình nguyện"
    assert data["short_name"] == "Đồng Hành"
    assert data["start_url"] == "/"
    assert data["display"] == "standalone"
    assert data["lang"] == "vi"
    assert data["theme_color"] == PRIMARY
    assert data["background_color"] == "#ffffff"


def test_the_theme_colour_is_the_navbars():
    css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    red, green, blue = (int(PRIMARY[i : i + 2], 16) for i in (1, 3, 5))
    assert f"--bs-primary-rgb: {red}, {green}, {blue};" in css


def test_the_manifest_icons_exist_with_their_stated_sizes():
    icons = manifest()["icons"]
    purposes = {icon["purpose"] for icon in icons}
    assert purposes == {"any", "maskable"}
    sizes = {icon["sizes"] for icon in icons if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in icons:
        # relative to the manifest, so the address follows STATIC_URL
        path = MANIFEST.parent / icon["src"]
        assert path.is_file(), icon
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert image.format == "PNG"
                assert f"{image.width}x{image.height}" == icon["sizes"]
        else:
            assert icon["type"] == "image/svg+xml"
            assert path.read_text(encoding="utf-8").lstrip().startswith("<svg")


@pytest.mark.parametrize(("name", "size"), PNG_ICONS.items())
def test_each_png_icon_is_square_and_drawn_on_the_primary_colour(name, size):
    path = finders.find(name)
    assert path, name
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        rgb = image.convert("RGB")
        # the middle of the left edge is the blue, the letters in the middle are white
        assert rgb.getpixel((size // 20, size // 2)) == (10, 88, 202)
        colours = {rgb.getpixel((x, size // 2)) for x in range(size // 4, 3 * size // 4)}
        assert (255, 255, 255) in colours


def test_the_maskable_and_apple_icons_fill_their_square():
    # Launchers cut a maskable icon to a circle or a squircle, and iOS shows transparency as
    # black: both are full bleed, with no transparent corner.
    for name in ("icons/icon-maskable-512.png", "icons/apple-touch-icon.png"):
        with Image.open(finders.find(name)) as image:
            rgba = image.convert("RGBA")
            assert rgba.getpixel((0, 0)) == (10, 88, 202, 255), name


def test_the_favicon_holds_the_small_sizes():
    with Image.open(ROOT / "static" / "root" / "favicon.ico") as image:
        assert image.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48)} <= set(image.ico.sizes())


def test_every_page_links_the_icons_and_the_manifest(db):
    body = Client().get(reverse("login")).content.decode()
    static = (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    )
    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in body
    assert f'<link rel="icon" href="{static}icons/icon.svg" type="image/svg+xml">' in body
    assert f'<link rel="apple-touch-icon" href="{static}icons/apple-touch-icon.png">' in body
    assert f'<link rel="manifest" href="{static}manifest.webmanifest">' in body
    assert f'<meta name="theme-color" content="{PRIMARY}">' in body


def test_favicon_ico_answers_without_a_login(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body == (ROOT / "static" / "root" / "favicon.ico").read_bytes()
    # served by whitenoise before any session: no cookie is set
    assert not response.cookies


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("manifest.webmanifest", "application/manifest+json"),
        ("icons/icon.svg", "image/svg+xml"),
        ("icons/icon-192.png", "image/png"),
    ],
)
def test_the_static_files_are_served_with_their_media_type(db, settings, path, media_type):
    # whitenoise serves STATIC_ROOT in production; here it finds the files itself
    settings.WHITENOISE_USE_FINDERS = True
    response = Client().get(f"/{settings.STATIC_URL.strip('/')}/{path}")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == media_type


def test_the_csp_lets_the_browser_load_the_manifest_and_the_icons():
    directives = dict(
        part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";") if part.strip()
    )
    # no manifest-src of its own: default-src 'self' covers the manifest
    assert "manifest-src" not in directives
    assert directives["default-src"] == "'self'"
    assert "'self'" in directives["img-src"].split()
