"""Every write to the governance records, one module per subject (meetings, congresses,
committees, consultations, expenses): one keyword-only function per step, atomic, the row
locked, the rule checked, the write audited.  ``actor=None`` is a system task (the seed).

A record a user edits is saved only against the version they loaded (``expected_version``);
a stale edit raises ConflictError instead of overwriting someone else's change.
"""
