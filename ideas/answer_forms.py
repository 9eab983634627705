"""The forms of an idea's page: the brand's answer and a comment. They only shape the
input; the services (ideas.services.idea_answer, comment_post) hold the rules and say
what is wrong (an empty note, an empty comment)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ideas.models import Idea


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Status"), choices=Idea.Answer.choices)
    note = forms.CharField(
        label=_("Public note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text=_("Everyone who voted for or commented on the idea will read it. Markdown."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("Markdown is supported."),
    )
