from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from notifications import selectors, services
from notifications.models import Notification


@login_required
@require_safe
def notification_list(request):
    page = Paginator(selectors.notification_list(recipient=request.user), 30).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)  # fetched before marking, so they still show as new
    services.notifications_mark_read(
        recipient=request.user,
        notifications=Notification.objects.filter(pk__in=[n.pk for n in shown]),
    )
    return render(request, "notifications/list.html", {"page": page, "shown": shown})


@login_required
@require_POST
def notifications_mark_all_read(request):
    services.notifications_mark_read(recipient=request.user)
    return redirect("notifications:list")
