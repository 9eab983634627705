"""Star ratings (1 to 5) per idea, ranked by a Bayesian average that pulls ideas with few
ratings towards 3 stars."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voting.formats.base import PerIdeaFormat
from voting.formats.registry import register
from voting.methods.ratings import bayesian_average

# As if each idea had five more ratings of 3 stars.
STAR_PRIOR_MEAN, STAR_PRIOR_WEIGHT = 3.0, 5


@register
class StarFormat(PerIdeaFormat):
    key = "star"
    label = gettext_lazy("Star rating (1 to 5)")
    vote_values = frozenset({1, 2, 3, 4, 5})
    vote_value_message = gettext_lazy("A rating is a whole number of stars from 1 to 5.")
    tally_order = ("method_score", "upvotes")
    orders = ("rated", "newest", "random")
    idea_export_columns = (
        ("ratings", "tally__upvotes"),
        ("average_rating", "tally__rating_sum"),
        ("rating_score", "tally__method_score"),
    )
    templates = {
        "vote_widget": "voting/formats/star/vote_widget.html",
        "score": "voting/formats/star/score.html",
        "results": "",
    }

    def apply_counts(self, tally, row, *, now):
        """Upvotes count the ratings; method_score is their Bayesian average."""
        tally.upvotes, tally.downvotes = row["rated"], 0
        tally.rating_sum = row["stars"]
        tally.score = row["rated"]
        tally.method_score = bayesian_average(
            ratings_sum=row["stars"], ratings_count=row["rated"],
            prior_mean=STAR_PRIOR_MEAN, prior_weight=STAR_PRIOR_WEIGHT,
        )  # fmt: skip

    def result_figures(self, *, details):
        return {
            key: round(value["method_score"], 2) for key, value in details.get("counts", {}).items()
        }

    def chart_caption(self, *, details):
        return _("the weighted average rating")

    def export_idea_values(self, extra):
        ratings, rating_sum, rating_score = extra
        average = round(rating_sum / ratings, 2) if ratings else ""
        return [ratings or 0, average, round(rating_score or 0.0, 4)]
