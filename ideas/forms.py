from django import forms
from django.utils.translation import gettext_lazy as _

from core.images import image_clean
from voting.formats import format_for


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=140)
    body = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("Explain your idea. Markdown is supported."),
    )
    cost = forms.IntegerField(
        label=_("Cost"),
        min_value=1,
        max_value=10**12,
        required=False,
        help_text=_("What your idea would cost: voters share a budget."),
    )

    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("Optional: a sketch, a photo, a mock-up. JPEG, PNG or WebP, up to 5 MB."),
    )
    accept_terms = forms.BooleanField(
        label=_("I accept the campaign's terms above"),
        required=False,
    )

    def __init__(self, *args, campaign, needs_terms: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_terms:
            del self.fields["accept_terms"]
        if not format_for(campaign).ideas_have_cost:
            del self.fields["cost"]
        else:
            self.fields["cost"].required = True

    def clean_image(self):
        """Decoded and re-encoded (core/images.py): no EXIF, nothing hidden, a random name."""
        upload = self.cleaned_data.get("image")
        return image_clean(upload) if upload else None
