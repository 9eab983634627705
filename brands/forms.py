"""Forms of the brand pages: the brand's profile and the team (invitations, roles). They
only validate input; campaigns/team.py holds the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from brands.models import BrandMembership
from brands.team import time_zone_names
from core.images import image_clean

ROLE_CHOICES = BrandMembership.Role.choices


class BrandForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://example.org), lists."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("A JPEG, PNG or WebP image, up to 5 MB."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Campaign schedules are entered and shown in this time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"brand-{name.replace('_', '-')}")

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # None: no upload (keep the logo); False: "clear" ticked (remove it).
        if not logo:
            return logo
        try:
            return image_clean(logo, max_side=800)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"data-testid": "invite-email", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=ROLE_CHOICES,
        initial=BrandMembership.Role.MANAGER,
        widget=forms.Select(attrs={"data-testid": "invite-role"}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
