"""The inbox: the signed-in user's notifications, marking them read, and delivery preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.notifications import preferences, selectors, services
from unionportal.notifications.forms import PreferencesForm

PAGE_SIZE = 25


@login_required
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page": page, "notifications": page.object_list, "unread_only": unread_only,
        "has_email": bool(request.user.email),
    })


def _is_local(link: str) -> bool:
    return link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=set())


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read(request, pk):
    """Mark one notification read; ``open`` goes on to its page (which does its own scoping)."""
    notification = selectors.own_notification_or_404(request.user, pk)
    services.mark_read(user=request.user, notification=notification)
    if request.POST.get("open") and _is_local(notification.link):
        return redirect(notification.link)
    return _back(request)


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return _back(request)


@login_required
def settings_page(request):
    initial = preferences.choices_of(request.user)
    form = PreferencesForm(request.POST or None, initial_choices=initial)
    if request.method == "POST" and form.is_valid():
        preferences.save_choices(user=request.user, choices=form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {
        "form": form, "has_email": bool(request.user.email),
    }, status=400 if form.errors else 200)
