"""Request checks that run before any view, session or authentication looks at the
request."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Where a NUL character was found, as the refusal names it.
PLACES = {
    "path": gettext_lazy("the path"),
    "query": gettext_lazy("the query string"),
    "header": gettext_lazy("a header"),
    "cookie": gettext_lazy("a cookie"),
    "form": gettext_lazy("a form field"),
    "json": gettext_lazy("the JSON body"),  # core.parsers
}
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def nul_character_place(request) -> str | None:
    """Where the request holds a NUL character (raw or percent-encoded), or None.

    No text of Foule may hold one, and PostgreSQL refuses it in a text value: a session
    key, a token or a filter reaching a query became a 500. The body of a JSON request is
    checked by core.parsers; an uploaded file's content may hold any byte, and Django
    drops non-printable characters from its name."""
    if "\x00" in request.path_info or "\x00" in request.path:
        return "path"
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in query or "%00" in query:
        return "query"
    for name, value in request.META.items():
        if (name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH")) and (
            isinstance(value, str) and "\x00" in value
        ):
            return "header"
    # http.cookies decodes octal escapes: a quoted "\000" is a NUL too.
    if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
        return "cookie"
    content_type = request.content_type or ""
    if content_type == FORM_URLENCODED:
        body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (else a 400)
        if b"\x00" in body or b"%00" in body:
            return "form"
    elif content_type == MULTIPART and request.method == "POST":
        # Django parses the form as CsrfViewMiddleware would (DRF then reuses it).
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return "form"
    return None


def nul_character_message(place: str) -> str:
    return _("The request contains a NUL character in %(place)s, which is not allowed.") % {
        "place": PLACES[place]
    }


class RejectNulCharactersMiddleware:
    """Answers 400, with a short message, a request holding a NUL character in its path,
    query string, headers, cookies or form fields. Placed early: before the session, the
    authentication and the views read any of them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            place = nul_character_place(request)
        except MultiPartParserError as error:
            return self.refuse(
                request, _("The form data could not be read: %(error)s") % {"error": error}
            )
        except RequestDataTooBig:
            return self.refuse(
                request,
                _("The request body is larger than %(limit)d bytes.")
                % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
            )
        except (TooManyFieldsSent, TooManyFilesSent):
            return self.refuse(request, _("The request has too many fields or files."))
        if place is None:
            return self.get_response(request)
        return self.refuse(request, nul_character_message(place))

    @staticmethod
    def refuse(request, message: str):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "parse_error"}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
