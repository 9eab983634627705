from django import forms
from django.utils.translation import gettext_lazy as _


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=140)
    body = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("Explain your idea. Markdown is supported."),
    )
