"""Each user's delivery channel per kind: in the portal only, e-mail at once, or a daily digest."""

from django.db import transaction

from unionportal import audit
from unionportal.notifications import kinds
from unionportal.notifications.kinds import Channel


def channels_for(user_ids, kind: str) -> dict[int, str]:
    """{user id: channel} for ``kind`` (one query); a user without an address gets the portal."""
    from django.contrib.auth import get_user_model

    from unionportal.notifications.models import Preference

    user_ids = list(user_ids)
    chosen = dict(Preference.objects.filter(user_id__in=user_ids, kind=kind)
                  .values_list("user_id", "channel"))
    with_address = set(get_user_model().objects.filter(pk__in=user_ids).exclude(email="")
                       .values_list("pk", flat=True))
    default = kinds.default_channel(kind)
    return {user_id: chosen.get(user_id, default) if user_id in with_address else Channel.PORTAL
            for user_id in user_ids}


def choices_of(user) -> dict[str, str]:
    """{kind: channel} the user has chosen or the kind's default, for every registered kind."""
    from unionportal.notifications.models import Preference

    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind.code: chosen.get(kind.code, kind.default) for kind in kinds.ordered()}


def save_choices(*, user, choices: dict[str, str]) -> int:
    """Store the user's channel per kind (only known kinds and channels); returns how many changed."""
    from unionportal.notifications.models import Preference

    valid = {code: channel for code, channel in choices.items()
             if code in kinds.KINDS and channel in Channel.values}
    with transaction.atomic():
        current = dict(Preference.objects.select_for_update().filter(user=user)
                       .values_list("kind", "channel"))
        changes = {code: channel for code, channel in valid.items()
                   if current.get(code, kinds.default_channel(code)) != channel}
        for code, channel in changes.items():
            Preference.objects.update_or_create(user=user, kind=code, defaults={"channel": channel})
        if changes:
            audit.record(actor=user, action="notifications.preferences", instance=user,
                         before={code: current.get(code, kinds.default_channel(code)) for code in changes},
                         after=changes)
    return len(changes)
