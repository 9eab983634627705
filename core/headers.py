"""Security headers that need more than a setting (the policies themselves are in
config/settings/base.py: CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY)."""

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API (the HTML view of /api/v1/ in a browser). Its templates carry a
    few style="" attributes (float: right, margins), which the site's policy refuses; its
    pages alone allow inline style *attributes*: never inline scripts, nor <style>
    elements. The one <style> element DRF would write (Pygments colours for code in
    endpoint descriptions, which Foule's descriptions do not have) is left out."""

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        return context

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src-attr": ["'unsafe-inline'"]}
        return super().render(data, accepted_media_type, renderer_context)
