"""The export page of a campaign: request a CSV or XLSX export, watch it build (a progress
bar polled every second with htmx), download it. Only `can_export_campaign` gets in: 404
for those who may not see the campaign, 403 for those who see it but may not export."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from campaigns import rules as campaign_rules
from campaigns.models import Campaign
from core.errors import ApplicationError
from core.forms import apply_service_error
from core.ratelimit import rate_limit
from insights import exports
from insights.models import CampaignExport


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to export"), choices=CampaignExport.Kind)
    format = forms.ChoiceField(
        label=gettext_lazy("File format"),
        choices=CampaignExport.Format,
        initial=CampaignExport.Format.CSV,
    )


def _exportable_campaign(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not campaign_rules.can_view_campaign(request.user, campaign):
        raise Http404
    if not campaign_rules.can_export_campaign(request.user, campaign):
        raise PermissionDenied(_("Only the brand's owners, managers and analysts may export."))
    return campaign


def _campaign_export(campaign: Campaign, pk: int) -> CampaignExport:
    export = CampaignExport.objects.filter(campaign=campaign, pk=pk).first()
    if export is None:
        raise Http404
    export.campaign = campaign  # already loaded, with its brand
    return export


@login_required
@require_http_methods(["GET", "POST"])
def campaign_exports(request, slug: str):
    campaign = _exportable_campaign(request, slug)
    status = 200
    if request.method == "POST":
        form = ExportRequestForm(request.POST)
        if form.is_valid():
            try:
                # Over the limit: the form shows why (429, Retry-After).
                rate_limit(request, "export")
                exports.export_request(
                    campaign=campaign,
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    format=form.cleaned_data["format"],
                )
            except ApplicationError as error:
                apply_service_error(form, error)
                status = error.status_code
            else:
                messages.success(
                    request, _("Your export is being prepared; it will be listed below.")
                )
                return redirect("insights:exports", slug=campaign.slug)
        else:
            status = 400
    else:
        form = ExportRequestForm()
    return render(
        request,
        "insights/exports/list.html",
        {
            "campaign": campaign,
            "form": form,
            "exports": exports.exports_for_campaign(campaign=campaign),
        },
        status=status,
    )


@login_required
@require_GET
def campaign_export_progress(request, slug: str, pk: int):
    """The status cell of one export (htmx polls it every second while it builds)."""
    campaign = _exportable_campaign(request, slug)
    export = _campaign_export(campaign, pk)
    response = render(
        request, "insights/exports/_status.html", {"campaign": campaign, "export": export}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def campaign_export_download(request, slug: str, pk: int):
    """The file, to those who may export the campaign now (a member removed since the
    export was made gets a 403)."""
    campaign = _exportable_campaign(request, slug)
    export = _campaign_export(campaign, pk)
    if export.status != CampaignExport.Status.DONE or not export.file.name:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=exports.export_filename(export),
        content_type=exports.CONTENT_TYPES[export.format],
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("campaigns/<slug:slug>/exports/", campaign_exports, name="exports"),
    path(
        "campaigns/<slug:slug>/exports/<int:pk>/progress/",
        campaign_export_progress,
        name="export_progress",
    ),
    path(
        "campaigns/<slug:slug>/exports/<int:pk>/download/",
        campaign_export_download,
        name="export_download",
    ),
]
