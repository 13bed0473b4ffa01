"""Every write to the governance records, one module per subject (meetings, congresses,
committees, consultations, expenses): one keyword-only function per step, atomic, the row
locked, the rule checked, the write audited.  Each public step asks the gate first
(``require(actor, Action.RECORD, org)``); the seed acts as ``unionportal.actors.SYSTEM``.

A record a user edits is saved only against the version they loaded (``expected_version``);
a stale edit raises ConflictError instead of overwriting someone else's change.
"""
