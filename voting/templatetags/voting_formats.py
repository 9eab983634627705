"""The voting format of a campaign in templates, so that a template asks the format (its
flags, its templates) instead of comparing `campaign.voting_method` with a key:

    {% load voting_formats %}
    {% with format=campaign|voting_format %}
      {% if format.uses_ballots %}...{% endif %}
      {% include format.templates.vote_widget %}
    {% endwith %}
"""

from django import template

from voting.formats import format_for

register = template.Library()


@register.filter
def voting_format(campaign):
    """The campaign's VotingFormat (voting.formats.base)."""
    return format_for(campaign)


@register.filter
def format_template(campaign, role: str) -> str:
    """The campaign's format's template for `role` ("vote_widget", "results", ...), or ""
    if it has none (guard the include with {% if %})."""
    return format_for(campaign).templates.get(role, "")
