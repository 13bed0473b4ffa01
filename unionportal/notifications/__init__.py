"""Notifications: the inbox, e-mail (immediate or a daily digest) and scheduled reminders.

The apps tell this package nothing directly: each app's ``notifications.py`` listens to
``unionportal.audit.recorded`` and calls ``delivery.notify``; this package imports no domain app.
"""
