from rest_framework import serializers

from ideas.api.serializers import TallyOutputSerializer


class VoteInputSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=[1, -1], help_text="1 for, -1 against.")


class VoteOutputSerializer(serializers.Serializer):
    idea = serializers.IntegerField()
    value = serializers.IntegerField(help_text="1, -1, or 0 when there is no vote.")
    tally = TallyOutputSerializer(
        help_text="The latest tally computed by the workers; it catches up within seconds."
    )
