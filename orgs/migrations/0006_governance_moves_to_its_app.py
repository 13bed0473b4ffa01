"""The governance records become the governance app's (orgs/governance/): removed from the orgs
app's state only.  Their tables stay as they are (the governance models keep ``db_table``) and
governance 0001 takes them over in its state; governance 0002 moves their content types."""

from django.db import migrations

# Referring models first.  DeleteModel only (no RemoveField of each relation first): removing a
# model from a rendered state is cheap, re-rendering the tree's related models for every field is not.
STATE_OPERATIONS = [
    migrations.DeleteModel(name="SessionAttendee"),
    migrations.DeleteModel(name="CommitteeMember"),
    migrations.DeleteModel(name="Consultation"),
    migrations.DeleteModel(name="Motion"),
    migrations.DeleteModel(name="CongressSession"),
    migrations.DeleteModel(name="Delegate"),
    migrations.DeleteModel(name="SpecialCommittee"),
    migrations.DeleteModel(name="Congress"),
    migrations.DeleteModel(name="Meeting"),
    migrations.DeleteModel(name="CommitteeTerm"),
    migrations.DeleteModel(name="Expense"),
    migrations.DeleteModel(name="ExpenseLimits"),
    migrations.DeleteModel(name="FederationRules"),
]


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0005_governance_voiding'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=STATE_OPERATIONS, database_operations=[]),
    ]
