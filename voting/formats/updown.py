"""Up/down votes (idea challenge, My Starbucks Idea): +1 or -1 per idea, ranked by the
lower bound of the share of up votes (Wilson), so an idea does not win on one early vote."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voting.formats.base import PerIdeaFormat
from voting.formats.registry import register


@register
class UpDownFormat(PerIdeaFormat):
    key = "updown"
    label = gettext_lazy("Up/down votes (idea challenge)")
    vote_values = frozenset({1, -1})
    vote_value_message = gettext_lazy("A vote is 1 (for) or -1 (against).")
    tally_order = ("wilson_lower_bound", "score")
    recount_in_sql = True
    shows_net_score = True
    orders = ("top", "hot", "newest", "controversial", "exposure", "score", "random")
    templates = {
        "vote_widget": "voting/formats/updown/vote_widget.html",
        "score": "voting/_score_for_against.html",
        "results": "",
    }

    def chart_caption(self, *, details):
        return _("score (votes for minus votes against); ranked by confidence")
