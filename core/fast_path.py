"""Answering a hot API request below Django's request stack, exactly as Django would
(docs/decisions/0014-votes-in-one-statement.md): the machinery, which knows no app.

`FastPath` wraps Django's WSGI application (config/wsgi.py). Each `Door` claims requests by
method, path and header, and answers the plain ones itself; every other request goes to
Django untouched (its body given back whole). A plain request has nothing Django's
middleware would act on: no session cookie (a session's writes need CSRF, Django decides),
no query string, an `Accept` the JSON renderer takes as it is, a host Django accepts, no
redirect to HTTPS, no NUL character. A door's answers are Django's: the API's error bodies
(`api_settings.EXCEPTION_HANDLER`, i.e. core.api.exception_handler), DRF's JSON, the
headers Django's middleware and the door's DRF view add (computed through that middleware
once per HTTPS-or-not, language and status, then reused), in the language
LocaleMiddleware picks, 4xx logged as Django logs them, any other exception answered as
Django answers it. The request_started and request_finished signals are sent as Django
sends them (database connections, caches)."""

import io
import json

from django.conf import settings
from django.core import signals
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response
from django.utils.module_loading import import_string
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

from core.errors import ApplicationError
from core.middleware import nul_character_place
from core.parsers import check_json_value

ACCEPTED = frozenset({"", "*/*", "application/json"})
# The middleware whose headers an API answer carries (the others add none to it: sessions,
# CSRF, messages, static files, htmx, allauth, the NUL check and the rate limit).
HEADER_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)
_RENDERER = JSONRenderer()
# Built from the settings when first needed, forgotten when a setting changes (tests).
_built: dict = {}


def _forget(**kwargs) -> None:
    _built.clear()


setting_changed.connect(_forget)


class Door:
    """One endpoint answered below Django. `methods`, `path` (a compiled pattern matched
    in full against PATH_INFO) and `header` (a META key the request must carry) claim a
    request; `answer(request, match)` returns Django's answer, or None to leave the
    request to Django. `view_class` is the DRF view Django would run (its Allow header)."""

    methods: frozenset[str] = frozenset()
    path = None
    header = ""
    view_class = None

    def claims(self, environ):
        if environ.get("REQUEST_METHOD") not in self.methods or self.header not in environ:
            return None
        return self.path.fullmatch(environ.get("PATH_INFO", ""))

    def answer(self, request, match) -> HttpResponse | None:
        raise NotImplementedError


def _no_response(request):
    return None


def _middleware(cls):
    """One instance of a middleware class whose request half is asked directly."""
    if cls not in _built:
        _built[cls] = cls(_no_response)
    return _built[cls]


def is_plain(request) -> bool:
    """Nothing in the request that Django's middleware would act on (see the module)."""
    environ = request.META
    if environ.get("QUERY_STRING") or environ.get("HTTP_ACCEPT", "").strip() not in ACCEPTED:
        return False
    if settings.SESSION_COOKIE_NAME in environ.get("HTTP_COOKIE", ""):
        return False
    if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
        return False
    try:
        request.get_host()
    except Exception:  # DisallowedHost: Django answers it
        return False
    if _middleware(SecurityMiddleware).process_request(request) is not None:
        return False  # the redirect to HTTPS
    return nul_character_place(request) is None


def json_body(request, *, max_bytes: int):
    """The parsed JSON body of at most `max_bytes`, as the API's parser would accept it;
    None for any other body (Django answers it)."""
    if request.content_type != "application/json" or request.content_params.get(
        "charset", "utf-8"
    ).lower() not in ("utf-8", "utf8"):
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= max_bytes:
        return None
    try:
        data = json.loads(request.body.decode("utf-8"), parse_constant=_refuse_constant)
        check_json_value(data)
    except (ValueError, APIException):
        return None
    return data


def _refuse_constant(constant):
    raise ValueError(constant)  # NaN and Infinity: the API's strict parser refuses them


def view_for(view_class, request, **kwargs):
    """The view as Django would make it (`setup` adds HEAD, which the Allow header names)."""
    view = view_class()
    view.setup(request, **kwargs)
    view.headers = {}
    return view


def _header_list(request, status: int, view_class) -> list[tuple[str, str]]:
    key = (request.is_secure(), request.LANGUAGE_CODE, status, view_class)
    if key not in _built:

        def view(request):
            response = HttpResponse(status=status, content_type="application/json")
            response["Allow"] = ", ".join(view_for(view_class, request).allowed_methods)
            patch_vary_headers(response, ["Accept"])  # DRF's
            return response

        chain = view
        for path in reversed([path for path in settings.MIDDLEWARE if path in HEADER_MIDDLEWARE]):
            chain = import_string(path)(chain)
        response = chain(request)
        # Django's door reads the session (RateLimitMiddleware asks request.user).
        patch_vary_headers(response, ["Cookie"])
        _built[key] = [
            item for item in response.items() if item[0] not in ("Content-Type", "Content-Length")
        ]
    return _built[key]


def respond(request, status: int, data, *, view_class, headers=None) -> HttpResponse:
    """DRF's JSON answer with the headers Django's door gives it."""
    response = HttpResponse(_RENDERER.render(data), status=status, content_type="application/json")
    for name, value in [*_header_list(request, status, view_class), *(headers or {}).items()]:
        response[name] = value
    response["Content-Length"] = str(len(response.content))
    if status >= 400:
        log_response(
            "%s: %s", response.reason_phrase, request.path, response=response, request=request
        )
    return response


def refusal(request, error: Exception, *, view_class, headers=None) -> HttpResponse:
    """The API's answer to `error` (core.api.exception_handler, as the view asks it)."""
    answer = api_settings.EXCEPTION_HANDLER(error, {"request": request})
    # Its own headers (Retry-After); the content type is the renderer's.
    extra = {name: value for name, value in answer.items() if name != "Content-Type"}
    return respond(
        request, answer.status_code, answer.data, view_class=view_class,
        headers={**extra, **(headers or {})},
    )  # fmt: skip


def answer(environ, doors) -> HttpResponse | None:
    """The first claiming door's answer, or None: Django answers (the body left whole)."""
    for door in doors:
        match = door.claims(environ)
        if match is not None:
            break
    else:
        return None
    request = WSGIRequest(environ)
    try:
        _middleware(LocaleMiddleware).process_request(request)  # the answer's language
        response = door.answer(request, match) if is_plain(request) else None
    except (ApplicationError, APIException) as error:
        return refusal(request, error, view_class=door.view_class)
    except Exception as error:  # as Django answers and logs any other (a 500)
        return response_for_exception(request, error)
    if response is None and hasattr(request, "_body"):
        environ["wsgi.input"] = io.BytesIO(request._body)
    return response


class FastPath:
    """WSGI middleware: the doors answer what they claim and find plain; Django the rest."""

    def __init__(self, application, *doors: Door):
        self.application, self.doors = application, doors

    def __call__(self, environ, start_response):
        if not any(door.claims(environ) is not None for door in self.doors):
            return self.application(environ, start_response)
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=self.__class__, environ=environ)
        response = answer(environ, self.doors)
        if response is None:
            return self.application(environ, start_response)
        # Closing the response sends request_finished (database connections, caches).
        response._handler_class = self.__class__
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return response
