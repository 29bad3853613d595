"""A small HTTP client that behaves like a browser behind the production proxy (issue 19).

It keeps cookies in a cookie jar, reads each page's <form> with html.parser (every input,
hidden ones too: the CSRF token, the one-time token `_once`, `version`, a formset's management
form), lets a test change the fields a user would change, and posts the form back with the
CSRF cookie, an Origin and a Referer, as Chromium does. Redirects are followed by hand, so a
test sees where a form sent the user.

Requests carry `X-Forwarded-Proto: https`, as nginx sets it in front of gunicorn
(docs/deploy.md): Django then treats them as secure, checks the Origin strictly and sets its
`Secure` cookies, which the jar sends back (TLS ends at the proxy, not here).
"""

from __future__ import annotations

import http.cookiejar
import json
import mimetypes
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

Value = str | list[str] | None


class _BehindTls(http.cookiejar.DefaultCookiePolicy):
    """Send `Secure` cookies over the plain hop from the proxy to the application server."""

    def return_ok_secure(self, cookie, request):
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _NoErrors(urllib.request.HTTPErrorProcessor):
    """Hand back 3xx, 4xx and 5xx answers as they are: the test looks at the status."""

    def http_response(self, request, response):
        return response

    https_response = http_response


@dataclass(repr=False)
class Response:
    status: int
    url: str  # the address asked for
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def json(self):
        return json.loads(self.body)

    def forms(self) -> list[Form]:
        parser = _FormParser(self.url)
        parser.feed(self.text)
        parser.close()
        return parser.forms

    def form(self, action: str | None = None) -> Form:
        """The page's form that posts to `action` (a path; default: this page's own path)."""
        path = action or urlsplit(self.url).path
        found = [f for f in self.forms() if urlsplit(f.action).path == path]
        found.sort(key=lambda f: f.method != "post")  # the form that writes, not a filter
        assert found, f"no form posting to {path} on {self.url}: {[f.action for f in self.forms()]}"
        return found[0]

    def __str__(self) -> str:
        return f"{self.status} {self.url}"

    __repr__ = __str__  # short in a failure's explanation: no cookies, no page


@dataclass
class Form:
    action: str  # absolute
    method: str
    enctype: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # as the browser would send them
    # every field name on the form, sent or not (an unticked checkbox, a submit button)
    names: set[str] = field(default_factory=set)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    # the values a box, radio button or option list offers: a browser can send no other
    offered: dict[str, set[str]] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        values = [v for k, v in self.fields if k == name]
        return values[-1] if values else None

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.fields if k == name]

    def filled(self, values: dict[str, Value] | None = None, *, strict: bool = True) -> Form:
        """A copy with `values` set as a user would set them: a string fills a box or picks an
        option, a list ticks those boxes (or options of a multiple select), None clears or
        unticks. With `strict`, a name the form does not have is a test error."""
        values = values or {}
        if strict:
            unknown = set(values) - self.names
            assert not unknown, f"the form has no field {sorted(unknown)}: {sorted(self.names)}"
            for name, value in values.items():
                chosen = {str(v) for v in (value if isinstance(value, list) else [value])}
                if name in self.offered and value is not None:
                    missing = chosen - self.offered[name]
                    assert not missing, f"{name} offers no {missing}: {self.offered[name]}"
        kept = [(k, v) for k, v in self.fields if k not in values]
        for name, value in values.items():
            if value is None:
                continue
            for one in value if isinstance(value, list) else [value]:
                kept.append((name, str(one)))
        return Form(
            self.action, self.method, self.enctype, kept, set(self.names), self.buttons,
            self.offered,
        )  # fmt: skip


class _FormParser(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool, list[tuple[str, bool]]] | None = None
        self._option: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=urljoin(self.url, a.get("action") or self.url),
                method=(a.get("method") or "get").lower(),
                enctype=a.get("enctype") or "application/x-www-form-urlencoded",
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            form.names.add(name)
            if kind in ("submit", "image", "button", "reset"):
                form.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                form.offered.setdefault(name, set()).add(a.get("value", "on"))
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind != "file":
                form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name:
            form.names.add(name)
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            form.names.add(name)
            self._select = (name, "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[2].append((value if value is not None else text.strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            if self._option is not None:  # an <option> left open
                self.handle_endtag("option")
            name, multiple, options = self._select
            self._form.offered.setdefault(name, set()).update(v for v, _s in options)
            chosen = [v for v, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]  # a browser sends the first option
            self._form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # the HTML parser keeps the newline after <textarea>, which a browser drops
            self._form.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


@dataclass
class Upload:
    name: str
    content: bytes


class Browser:
    """One person's browser: its own cookies, talking to the live server."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        split = urlsplit(self.base_url)
        self.origin = f"https://{split.netloc}"  # as the browser sees the site, through TLS
        self.jar = http.cookiejar.CookieJar(policy=_BehindTls())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect, _NoErrors
        )
        self.last_url = self.origin + "/"

    def _url(self, path: str) -> str:
        if path.startswith("http"):
            path = urlsplit(path)._replace(scheme="", netloc="").geturl()
        return self.base_url + path

    def _open(self, request: urllib.request.Request) -> Response:
        request.add_header("X-Forwarded-Proto", "https")
        request.add_header("Accept-Language", "vi")
        try:
            with self.opener.open(request, timeout=60) as answer:
                body = answer.read()
                status = answer.status
                headers = {k.lower(): v for k, v in answer.headers.items()}
        except urllib.error.HTTPError as error:  # pragma: no cover - _NoErrors hands them back
            body, status = error.read(), error.code
            headers = {k.lower(): v for k, v in error.headers.items()}
        return Response(status, request.full_url, headers, body)

    def get(self, path: str, *, follow: bool = True) -> Response:
        # the live server's http:// address only (_url): never a file: or other scheme
        response = self._open(urllib.request.Request(self._url(path), method="GET"))  # noqa: S310
        self.last_url = self.origin + urlsplit(response.url).path
        return self.follow(response) if follow else response

    def follow(self, response: Response, limit: int = 5) -> Response:
        while response.status in (301, 302, 303) and limit:
            location = response.location
            assert location.startswith("/") or location.startswith(self.origin), (
                f"redirect off the site: {location!r}"
            )
            response = self.get(location, follow=False)
            limit -= 1
        return response

    def submit(self, form: Form, *, button: str | None = None, files: dict | None = None):
        """Post `form` as the browser would, from the page it is on; the answer, unfollowed."""
        fields = list(form.fields)
        if button:
            fields += [(k, v) for k, v in form.buttons if k == button][:1]
        assert form.method == "post", f"{form.action} is a {form.method} form"
        if files or form.enctype == "multipart/form-data":
            body, content_type = _multipart(fields, files or {})
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(self._url(form.action), data=body, method="POST")  # noqa: S310
        request.add_header("Content-Type", content_type)
        request.add_header("Origin", self.origin)
        request.add_header("Referer", self.last_url)
        return self._open(request)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


def _multipart(fields: list[tuple[str, str]], files: dict[str, Upload]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, upload in files.items():
        kind = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{upload.name}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            + upload.content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
