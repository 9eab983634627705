from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from notifications import selectors
from notifications.api.serializers import NotificationOutputSerializer


class MyNotificationListView(generics.ListAPIView):
    """Your notifications, newest first."""

    serializer_class = NotificationOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.notification_list(recipient=self.request.user)
