"""The creative contest (logo, packaging, design contests): entries with pictures, a jury
that scores each entry on the brand's weighted criteria without knowing its author (the
jury app), and the public's stars (as the star format: one Vote of 1..5 per voter and
entry, recounted into the entry's tally).

The final ranking combines the jury's mean and the public's Bayesian average with the
brand's weight (70/30 by default): voting/methods/contest.py does the arithmetic. The
audit list holds the contest's settings (criteria weights, jury weight), every public star
under the voter's receipt and every counted jury score under the juror's pseudonym, so the
published digest covers both parts and the ranking can be recomputed from the list alone."""

import hashlib
import hmac
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.events import receiver_for
from jury import selectors as jury_selectors
from jury import services as jury_services
from jury.models import SCORE_MAX, SCORE_MIN
from voting import audit, dirty
from voting.formats.registry import register
from voting.formats.star import StarFormat
from voting.methods.contest import contest_result

# The figures of a result, per entry (details["contest"][str(idea id)]).
PARTS = ("jury", "public", "combined")


def juror_receipt(*, campaign_id: int, juror_id: int) -> str:
    """A juror's pseudonym in the contest's published list (not the one of their stars, if
    they also vote as a member of the public)."""
    message = f"foule-juror:{campaign_id}:{juror_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def jury_entries(*, campaign) -> list[dict]:
    """The active jurors' scores of published entries, sorted by (juror, idea, criterion)."""
    entries = [
        {"juror": juror_receipt(campaign_id=campaign.pk, juror_id=juror_id), "idea": idea_id,
         "criterion": criterion_id, "score": value}
        for juror_id, idea_id, criterion_id, value in jury_selectors.jury_score_rows(
            campaign=campaign
        )
    ]  # fmt: skip
    return sorted(entries, key=lambda entry: (entry["juror"], entry["idea"], entry["criterion"]))


def settings_entry(*, campaign) -> dict:
    """The weights the ranking used: the jury's share (percent) and each criterion's."""
    weights = jury_selectors.weights_for(campaign=campaign)
    return {
        "contest": {
            "jury_weight": jury_selectors.jury_weight_for(campaign=campaign),
            "criteria": {str(pk): weight for pk, weight in sorted(weights.items())},
            "score_range": [SCORE_MIN, SCORE_MAX],
        }
    }


def _as_float(value) -> float | None:
    return None if value is None else round(float(value), 6)


@register
class ContestFormat(StarFormat):
    """A star vote by the public plus a jury's scores on the brand's criteria."""

    key = "contest"
    label = gettext_lazy("Creative contest with a jury")
    description = gettext_lazy(
        "Entries with pictures; a jury scores them on your weighted criteria without "
        "knowing their authors, the public rates them with stars, and the ranking combines "
        "both (logo and packaging contests)."
    )
    builder_fields = ("results_embargo",)
    preset_defaults = {"results_embargo": True}
    templates = {
        **StarFormat.templates,
        "results": "voting/formats/contest/results.html",
        "builder": "jury/_section.html",
        "campaign": "jury/_campaign_links.html",
    }

    def launch_problems(self, *, campaign) -> list[tuple[str, str]]:
        """A contest launches with at least one criterion for its jury."""
        return [
            *super().launch_problems(campaign=campaign),
            *jury_services.launch_problems(campaign=campaign),
        ]

    def audit_entries(self, *, campaign) -> list[dict]:
        return [
            settings_entry(campaign=campaign),
            *audit.vote_entries(campaign=campaign),
            *jury_entries(campaign=campaign),
        ]

    def audit_stream(self, *, campaign) -> Iterator[dict]:
        yield settings_entry(campaign=campaign)
        yield from audit.iter_vote_entries(campaign=campaign)
        yield from jury_entries(campaign=campaign)

    def final_result(self, *, campaign, candidates):
        # From the list (the stars and the jury's scores both count), not the tallies.
        entries = self.audit_entries(campaign=campaign)
        return self.compute_result(campaign=campaign, entries=entries, candidates=candidates)

    def compute_result(self, *, campaign, entries, candidates):
        contest = next((entry["contest"] for entry in entries if "contest" in entry), {})
        weights = {int(pk): weight for pk, weight in contest.get("criteria", {}).items()}
        low, high = contest.get("score_range", [SCORE_MIN, SCORE_MAX])
        stars = [(entry["idea"], entry["value"]) for entry in entries if "receipt" in entry]
        scores = [
            (entry["juror"], entry["idea"], entry["criterion"], entry["score"])
            for entry in entries
            if "juror" in entry
        ]
        jury_weight = contest.get("jury_weight", jury_selectors.jury_weight_for(campaign=campaign))
        result = contest_result(
            candidates=candidates, jury_scores=scores, star_votes=stars, weights=weights,
            jury_weight=jury_weight, score_min=low, score_max=high,
        )  # fmt: skip
        details = {
            "jury_weight": jury_weight,
            "contest": {
                str(pk): {
                    "jury": _as_float(row.jury),
                    "public": _as_float(row.public),
                    "combined": _as_float(row.combined),
                    "jurors": row.jurors,
                    "ratings": row.ratings,
                }
                for pk, row in result.rows.items()
            },
        }
        scorecards = {(juror, idea) for juror, idea, _criterion, _score in scores}
        return list(result.ranking), details, len(stars) + len(scorecards)

    def result_figures(self, *, details):
        """The combined score, out of 100."""
        return {
            key: round(100 * (row["combined"] or 0), 1)
            for key, row in details.get("contest", {}).items()
        }

    def chart_caption(self, *, details):
        return _("the combined score out of 100 (jury %(jury)d%%, public %(public)d%%)") % {
            "jury": details.get("jury_weight", 0),
            "public": 100 - details.get("jury_weight", 0),
        }

    def result_columns(self, *, method):
        return ["jury_score", "public_score", "combined_score", "jurors", "ratings"]

    def result_row(self, *, method, details, pk):
        row = details.get("contest", {}).get(str(pk), {})
        return [
            "" if row.get("jury") is None else round(row["jury"], 4),
            round(row.get("public") or 0.0, 4),
            round(row.get("combined") or 0.0, 4),
            row.get("jurors", 0),
            row.get("ratings", 0),
        ]


@receiver_for("jury.scored", "jury.juror_added", "jury.juror_removed")
def _jury_changed(event) -> None:
    """A jury change makes the contest's live result stale: the results worker recomputes
    it (as after a ballot), once the change is committed."""
    campaign_id = event["campaign_id"]
    transaction.on_commit(lambda: dirty.mark_campaign_dirty(campaign_id))
