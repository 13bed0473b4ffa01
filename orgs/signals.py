"""Signals other apps listen to, so that the tree never imports the apps built on it."""

from django.dispatch import Signal

# Sent inside the move's transaction, after an org (and so its subtree) has a new parent.
# Arguments: ``org`` (moved, tree fields current), ``old_parent``, ``actor``.
org_moved = Signal()
