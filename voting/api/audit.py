"""The published audit list of a closed campaign, served from its stored chunks
(voting/audit_store.py): one chunk per page, or the whole list as one gzip file of JSON
lines streamed chunk by chunk. Nothing is recounted per request."""

import json

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from voting import audit_store, selectors
from voting.results import audit_chunks_ensure

# A web worker never waits for a list being written: the client asks again after this.
RETRY_AFTER_SECONDS = 10


class JsonLinesGzipRenderer(BaseRenderer):
    """`?format=jsonl`: the whole list as a gzip file of JSON lines (the view streams it;
    this renderer only names the format for DRF's negotiation)."""

    media_type = "application/gzip"
    format = "jsonl"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b""  # never reached: errors are rendered as JSON (finalize_response)


class AuditQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(
        min_value=1, max_value=10**9, default=1, help_text="A chunk of the list, from 1."
    )


class AuditPageSerializer(serializers.Serializer):
    """What a page holds (documentation: the view writes the stored JSON as it is)."""

    digest = serializers.CharField(help_text="SHA-256 of the whole list's canonical JSON.")
    count = serializers.IntegerField(help_text="Entries in the whole list.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = serializers.ListField(child=serializers.DictField())


class CampaignAuditView(APIView):
    """The published, anonymised list of counted votes of a closed campaign, a chunk of
    10,000 entries per page, in the list's order. Its digest is the SHA-256 of
    "[" + the entries of every page, in order, as served, joined by "," + "]".
    `?format=jsonl` downloads the whole list as one gzip file, one entry per line.
    Hidden (404) like the result: under a results embargo, a private campaign's."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, JsonLinesGzipRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # An error answers in JSON even when the download was asked for.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), JsonLinesGzipRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def final_result(self, request, slug: str):
        # The checks of the result's own endpoint (voting.api.views.CampaignResultView).
        campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
        if not can_view_campaign(request.user, campaign):
            raise Http404
        result = selectors.result_for_campaign(campaign=campaign, viewer=request.user)
        if result is None or not result.is_final:
            raise Http404
        return campaign, result

    @extend_schema(
        parameters=[
            AuditQuerySerializer,
            OpenApiParameter("format", str, enum=["json", "jsonl"], required=False),
        ],
        responses={
            (200, "application/json"): AuditPageSerializer,
            (200, "application/gzip"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="A page that is not a positive number."),
            404: OpenApiResponse(description="No such campaign, result or page."),
            409: OpenApiResponse(description="The stored votes no longer give the digest."),
            503: OpenApiResponse(description="The list is being written: retry later."),
        },
    )
    def get(self, request, slug: str):
        query = AuditQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        campaign, result = self.final_result(request, slug)
        if isinstance(request.accepted_renderer, JsonLinesGzipRenderer):
            return self.download(campaign, result)
        number = query.validated_data["page"]
        page = audit_store.audit_page(result_id=result.pk, number=number)
        if page is None:
            if audit_store.has_chunks(result_id=result.pk):
                raise NotFound(_("This page does not exist."))
            # A result published before the chunks existed: written once, by one request.
            if not audit_chunks_ensure(result=result):
                return self.being_written()
            page = audit_store.audit_page(result_id=result.pk, number=number)
            if page is None:
                raise NotFound(_("This page does not exist."))
        return self.page_response(request, result, page)

    def page_response(self, request, result, page) -> HttpResponse:
        """The stored lines as they are (already canonical JSON): no entry is parsed."""
        url = request.build_absolute_uri()
        head = {
            "digest": result.digest,
            "count": page.total,
            "page": page.number,
            "pages": page.pages,
            "next": replace_query_param(url, "page", page.number + 1)
            if page.number < page.pages
            else None,
            "previous": replace_query_param(url, "page", page.number - 1)
            if page.number > 1
            else None,
        }
        body = json.dumps(head).encode()[:-1] + b',"results":['
        body += b",".join(page.lines) + b"]}"
        return HttpResponse(body, content_type="application/json")

    def download(self, campaign, result) -> StreamingHttpResponse | Response:
        if not audit_chunks_ensure(result=result):
            return self.being_written()
        response = StreamingHttpResponse(
            audit_store.iter_chunk_data(result_id=result.pk), content_type="application/gzip"
        )
        response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-audit.jsonl.gz"'
        return response

    def being_written(self) -> Response:
        return Response(
            {"detail": _("The audit list is being prepared: try again in a few seconds.")},
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
