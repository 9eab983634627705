from rest_framework import serializers

from ideas.api.serializers import TallyOutputSerializer


class VoteInputSerializer(serializers.Serializer):
    value = serializers.ChoiceField(
        choices=[-1, 1, 2, 3, 4, 5],
        help_text="Up/down: 1 for, -1 against. Support: 1. Star rating: 1 to 5.",
    )


class VoteOutputSerializer(serializers.Serializer):
    idea = serializers.IntegerField()
    value = serializers.IntegerField(help_text="1, -1, or 0 when there is no vote.")
    tally = TallyOutputSerializer(
        allow_null=True,
        help_text="The latest tally computed by the workers; it catches up within seconds. "
        "Null while the campaign hides its counts (results embargo).",
    )


# Built once: a serializer's fields are made on first use, and this one is asked for every
# vote's answer.
_TALLY_OUTPUT = TallyOutputSerializer()


def vote_answer(answer) -> dict:
    """VoteOutputSerializer's data for a vote just set (voting.services.VoteSet), from
    what the vote's statement returned: nothing is read again."""
    tally = None
    if answer.tally is not None:
        columns = answer.tally
        tally = _TALLY_OUTPUT.to_representation(
            {**columns, "vote_count": columns["upvotes"] + columns["downvotes"]}
        )
    return {"idea": answer.idea_id, "value": answer.value, "tally": tally}


class BallotInputSerializer(serializers.Serializer):
    choices = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=1000,
        help_text="Idea ids: one (single choice), several (approval, budget), or in order "
                  "of preference, first preferred (ranked).",
    )  # fmt: skip


class BallotOutputSerializer(serializers.Serializer):
    campaign = serializers.CharField()
    choices = serializers.ListField(child=serializers.IntegerField())
    receipt = serializers.CharField(
        allow_null=True, help_text="Find your ballot by it in the published audit list."
    )


class PairSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Answer with this token, once.")
    left = serializers.DictField()
    right = serializers.DictField()


class PairAnswerInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["left", "right", "skip"])


class ResultOutputSerializer(serializers.Serializer):
    campaign = serializers.CharField()
    method = serializers.CharField()
    is_final = serializers.BooleanField()
    ranking = serializers.ListField(child=serializers.IntegerField())
    details = serializers.DictField()
    ballot_count = serializers.IntegerField()
    digest = serializers.CharField(help_text="SHA-256 of the published audit list (final only).")
    computed_at = serializers.DateTimeField()
    my_receipt = serializers.CharField(allow_null=True)
