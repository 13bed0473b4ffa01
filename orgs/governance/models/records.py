"""Governance records of seed 004 (XX街道工会工作委员会 rules): meetings, congresses with their
delegates, sessions, motions and special committees, collective consultation, committee terms
(换届) and expense approval (一支笔).  The rules they are checked against are pure functions in
orgs/governance/rules.py; every write goes through orgs/governance/services/.  The tables keep
the names they had when these models lived in the orgs app (``db_table``).

Each record a user edits carries ``version`` (``unionportal.concurrency.Versioned``: a save based
on an older version is refused, not merged).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.access import ScopedManager
from orgs.governance.models.voiding import Voidable
from orgs.models.tree import Org
from unionportal import text_limits
from unionportal.concurrency import Versioned


class Recorded(Versioned):
    """A record a user keeps: its version (the concurrency kit), when and by whom it was made."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )

    class Meta:
        abstract = True


class MeetingKind(models.TextChoices):
    FULL_COMMITTEE = "full", _("full committee meeting")  # 全委会: at least yearly
    STANDING_COMMITTEE = "standing", _("standing committee meeting")  # 常委会: at least quarterly


def minutes_upload_to(meeting, filename: str) -> str:
    # The stored name never carries the user's file name (only its checked extension).
    import uuid
    from pathlib import Path

    suffix = Path(filename).suffix.lower()
    return f"governance/minutes/{meeting.org_id}/{uuid.uuid4().hex}{suffix}"


class Meeting(Voidable, Recorded):
    """A full- or standing-committee meeting (会议制度)."""

    org_path = "org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.PROTECT,
                            related_name="meetings")
    kind = models.CharField(_("meeting"), max_length=20, choices=MeetingKind.choices)
    date = models.DateField(_("date"))
    chaired_by = models.CharField(_("chaired by"), max_length=50, blank=True)
    attendees = models.TextField(_("attendees"), max_length=text_limits.NAME_LIST, help_text=_("One name a line."))
    absentees = models.TextField(_("absent"), blank=True, max_length=text_limits.NAME_LIST,
                                  help_text=_("One name a line, with the reason."))
    agenda = models.TextField(_("agenda"), max_length=text_limits.RECORD_TEXT)
    decisions = models.TextField(_("decisions"), blank=True, max_length=text_limits.RECORD_TEXT)
    # 委员总数: the base of the attendance rule; by default the attendees and the absent together.
    members_total = models.PositiveIntegerField(
        _("committee members"), null=True, blank=True,
        help_text=_("How many members the committee has. Leave empty to count the attendees and "
                    "the absent together."))
    # Frozen when recorded: the attendance the federation's rule required, and whether it was met.
    # A meeting below it is kept but flagged, and does not count as held.
    quorum_needed = models.PositiveIntegerField(_("members needed"), default=0, editable=False)
    quorate = models.BooleanField(_("quorate"), default=True, editable=False)
    # Stored under MEDIA_ROOT (outside the web root), served only through the scoping gate.
    minutes = models.FileField(_("minutes"), upload_to=minutes_upload_to, blank=True, max_length=200)
    minutes_name = models.CharField(_("minutes file name"), max_length=200, blank=True)

    class Meta:
        db_table = "orgs_meeting"  # kept from before governance was an app
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "kind", "date"])]

    def __str__(self):
        return f"{self.org} {self.get_kind_display()} {self.date:%Y-%m-%d}"

    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]

    def absentee_list(self) -> list[str]:
        return [line.strip() for line in self.absentees.splitlines() if line.strip()]

    def members_counted(self) -> int:
        """The base of the attendance rule: the members given, else attendees and absent."""
        if self.members_total:
            return self.members_total
        return len(self.attendee_list()) + len(self.absentee_list())


class CongressKind(models.TextChoices):
    WORKERS = "workers", _("workers' congress")  # 职工代表大会
    MEMBERS = "members", _("members' congress")  # 会员代表大会


class Congress(Recorded):
    """An org's workers' or members' congress: the standing body its delegates form."""

    org_path = "org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.PROTECT,
                            related_name="congresses")
    kind = models.CharField(_("congress"), max_length=20, choices=CongressKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        db_table = "orgs_congress"  # kept from before governance was an app
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        ordering = ["org", "kind"]
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="congress_unique_kind")]

    def __str__(self):
        return self.name or f"{self.org} {self.get_kind_display()}"


class MandateBasis(models.TextChoices):
    ELECTION = "election", _("election")  # 选举
    RE_ELECTION = "re-election", _("re-election")  # 改选连任
    BY_ELECTION = "by-election", _("by-election")  # 补选


class MandateEnd(models.TextChoices):
    TERM = "term", _("term ended")  # 任期届满
    RE_ELECTED = "re-elected", _("re-elected")  # 连选连任 (a new mandate follows)
    RETIRED = "retired", _("retired or left")  # 退休或调离
    REVOKED = "revoked", _("revoked")  # 撤销代表资格


class Delegate(Recorded):
    """One delegate's mandate: two years from its start (第十一条: 每两年改选一次)."""

    org_path = "congress__org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    congress = models.ForeignKey(Congress, verbose_name=_("congress"), on_delete=models.CASCADE,
                                 related_name="delegates")
    name = models.CharField(_("name"), max_length=50)
    unit = models.CharField(_("electoral unit"), max_length=100, blank=True)
    basis = models.CharField(_("basis"), max_length=20, choices=MandateBasis.choices,
                             default=MandateBasis.ELECTION)
    start = models.DateField(_("term start"))
    end = models.DateField(_("term end"))
    ended_on = models.DateField(_("mandate ended on"), null=True, blank=True)
    end_reason = models.CharField(_("end of mandate"), max_length=20, choices=MandateEnd.choices,
                                  blank=True)

    class Meta:
        db_table = "orgs_delegate"  # kept from before governance was an app
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        ordering = ["congress", "name", "-start"]
        indexes = [models.Index(fields=["congress", "start", "end"])]

    def __str__(self):
        return f"{self.name} ({self.start:%Y-%m-%d}–{self.end:%Y-%m-%d})"


class CongressSession(Voidable, Recorded):
    """One session (会议) of a congress; at least one a year."""

    org_path = "congress__org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    congress = models.ForeignKey(Congress, verbose_name=_("congress"), on_delete=models.PROTECT,
                                 related_name="sessions")
    title = models.CharField(_("title"), max_length=100)
    date = models.DateField(_("date"))
    agenda = models.TextField(_("agenda"), blank=True, max_length=text_limits.RECORD_TEXT)
    # Frozen when recorded: the delegates serving on the day (代表总数), the base of every rule.
    delegates_total = models.PositiveIntegerField(_("delegates serving"), default=0)
    # Frozen when recorded (企业民主管理规定): below the quorum the session is kept but flagged, it
    # does not count as held, and no motion passes.
    quorum_needed = models.PositiveIntegerField(_("delegates needed"), default=0, editable=False)
    quorate = models.BooleanField(_("quorate"), default=True, editable=False)

    class Meta:
        db_table = "orgs_congresssession"  # kept from before governance was an app
        verbose_name = _("congress session")
        verbose_name_plural = _("congress sessions")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.congress} · {self.title} ({self.date:%Y-%m-%d})"


class AttendeeKind(models.TextChoices):
    DELEGATE = "delegate", _("delegate")  # 正式代表 (votes)
    NON_VOTING = "non-voting", _("non-voting attendee")  # 列席代表
    INVITED = "invited", _("invited attendee")  # 特邀代表


class SessionAttendee(models.Model):
    session = models.ForeignKey(CongressSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="attendees")
    kind = models.CharField(_("attends as"), max_length=20, choices=AttendeeKind.choices)
    name = models.CharField(_("name"), max_length=50)
    delegate = models.ForeignKey(Delegate, verbose_name=_("delegate"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "orgs_sessionattendee"  # kept from before governance was an app
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["session", "kind", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class MotionOutcome(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("not passed")


class Motion(Recorded):
    """A motion put to a session and the votes on it; the outcome is computed, never typed."""

    org_path = "session__congress__org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    session = models.ForeignKey(CongressSession, verbose_name=_("session"), on_delete=models.PROTECT,
                                related_name="motions")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    proposed_by = models.CharField(_("proposed by"), max_length=100, blank=True)
    text = models.TextField(_("resolution text"), blank=True, max_length=text_limits.RECORD_TEXT)
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    delegates_total = models.PositiveIntegerField(_("delegates serving"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=MotionOutcome.choices)

    class Meta:
        db_table = "orgs_motion"  # kept from before governance was an app
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering = ["session", "number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="motion_unique_number")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class CommitteeKind(models.TextChoices):
    """The six special committees of 第二十条."""

    OFFICE = "office", _("office work committee")  # 办公室工作委员会
    FUNDS = "funds", _("funds review committee")  # 经费审查工作委员会
    WOMEN = "women", _("women workers' committee")  # 女职工工作委员会
    MEDIATION = "mediation", _("labour dispute mediation committee")  # 劳动争议调解工作委员会
    LAW = "law", _("labour law supervision committee")  # 劳动法律监督工作委员会
    PROTECTION = "protection", _("labour protection inspection committee")  # 劳动保护监督检查


class SpecialCommittee(Recorded):

    org_path = "congress__org"  # the gate's path to the org that owns the row
    objects = ScopedManager()
    congress = models.ForeignKey(Congress, verbose_name=_("congress"), on_delete=models.CASCADE,
                                 related_name="committees")
    kind = models.CharField(_("committee"), max_length=20, choices=CommitteeKind.choices)

    class Meta:
        db_table = "orgs_specialcommittee"  # kept from before governance was an app
        verbose_name = _("special committee")
        verbose_name_plural = _("special committees")
        ordering = ["congress", "kind"]
        constraints = [models.UniqueConstraint(fields=["congress", "kind"], name="committee_unique_kind")]

    def __str__(self):
        return self.get_kind_display()


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", _("director")  # 主任
    VICE_CHAIR = "vice-chair", _("deputy director")  # 副主任
    MEMBER = "member", _("member")


class CommitteeMember(models.Model):
    committee = models.ForeignKey(SpecialCommittee, verbose_name=_("special committee"),
                                  on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=CommitteeRole.choices,
                            default=CommitteeRole.MEMBER)
    # 第二十条: members are delegates, but the congress may also take on workers who are not
    # (聘请非代表职工; 第十三条: 列席/特邀 too); the delegate checks do not apply to them.
    non_delegate = models.BooleanField(_("not a delegate"), default=False)

    class Meta:
        db_table = "orgs_committeemember"  # kept from before governance was an app
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "role", "name"]

    def __str__(self):
        return self.name


class Consultation(Voidable, Recorded):
    """A yearly round of collective consultation (平等协商) of an enterprise union."""

    org_path = "org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.PROTECT,
                            related_name="consultations")
    year = models.PositiveIntegerField(_("year"))
    date = models.DateField(_("date"))
    employer = models.CharField(_("employer"), max_length=100)
    union_representatives = models.TextField(_("union representatives"),
                                             help_text=_("One name a line; the chief representative first."))
    employer_representatives = models.TextField(_("employer representatives"),
                                                help_text=_("One name a line; the chief representative first."))
    pay = models.TextField(_("pay"), blank=True)  # 劳动报酬
    hours = models.TextField(_("working hours"), blank=True)  # 工作时间
    leave = models.TextField(_("rest and leave"), blank=True)  # 休息休假
    safety = models.TextField(_("safety"), blank=True)  # 劳动安全保护
    insurance = models.TextField(_("insurance and welfare"), blank=True)  # 保险与福利
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    contract_valid_until = models.DateField(_("contract valid until"), null=True, blank=True)
    approved_by = models.ForeignKey(Motion, verbose_name=_("approved by congress resolution"),
                                    null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "orgs_consultation"  # kept from before governance was an app
        verbose_name = _("collective consultation")
        verbose_name_plural = _("collective consultations")
        ordering = ["org", "-year"]
        # A voided round does not block recording the year again.
        constraints = [models.UniqueConstraint(fields=["org", "year"], condition=models.Q(voided_at__isnull=True),
                                               name="consultation_unique_year")]

    def __str__(self):
        return f"{self.org} {self.year}"

    @staticmethod
    def names(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def union_side(self) -> list[str]:
        return self.names(self.union_representatives)

    def employer_side(self) -> list[str]:
        return self.names(self.employer_representatives)


class CommitteeTerm(Voidable, Recorded):
    """One term (届) of an org's union committee with its chair and vice-chairs (换届)."""

    org_path = "org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.PROTECT,
                            related_name="committee_terms")
    number = models.PositiveIntegerField(_("term number"), null=True, blank=True)  # 第N届
    start = models.DateField(_("term start"))
    end = models.DateField(_("term end"))
    chair = models.CharField(_("chair"), max_length=50)
    vice_chairs = models.TextField(_("vice-chairs"), blank=True, help_text=_("One name a line."))
    members = models.TextField(_("committee members"), blank=True, help_text=_("One name a line."))

    class Meta:
        db_table = "orgs_committeeterm"  # kept from before governance was an app
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["org", "-start"]
        indexes = [models.Index(fields=["org", "start"])]

    def __str__(self):
        return f"{self.org} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    def vice_chair_list(self) -> list[str]:
        return [line.strip() for line in self.vice_chairs.splitlines() if line.strip()]


class ExpenseLimits(Recorded):
    """An org's own limits (财务管理制度 leaves them as XX: each union sets its own)."""

    org_path = "org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    org = models.OneToOneField(Org, verbose_name=_("organisation"), on_delete=models.CASCADE,
                               related_name="expense_limits")
    cash_on_hand = models.DecimalField(_("cash-on-hand limit"), max_digits=12, decimal_places=2,
                                       default=5000)
    bank_transfer_from = models.DecimalField(
        _("pay by bank transfer from"), max_digits=12, decimal_places=2, default=1000,
        help_text=_("Payments of this amount or more go through the bank, never in cash."))
    petty_item = models.DecimalField(_("petty purchase: unit price up to"), max_digits=12,
                                     decimal_places=2, default=200)
    petty_total = models.DecimalField(_("petty purchase: total up to"), max_digits=12,
                                      decimal_places=2, default=1000)

    class Meta:
        db_table = "orgs_expenselimits"  # kept from before governance was an app
        verbose_name = _("expense limits")
        verbose_name_plural = _("expense limits")

    def __str__(self):
        return f"{self.org}"


class ExpenseKind(models.TextChoices):
    EXPENSE = "expense", _("expense claim")  # 报支
    ADVANCE = "advance", _("cash advance")  # 借款 (四联单)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("cash")
    BANK = "bank", _("bank transfer")


class Expense(Voidable, Recorded):
    """An expense claim or cash advance through 一支笔: handler and witness sign, the chair
    approves, then it is paid; an advance is settled within the month it was paid."""

    org_path = "org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.PROTECT,
                            related_name="expenses")
    kind = models.CharField(_("kind"), max_length=20, choices=ExpenseKind.choices,
                            default=ExpenseKind.EXPENSE)
    date = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    handler = models.CharField(_("handler"), max_length=50)  # 经手人
    handler_signed_on = models.DateField(_("handler signed on"), null=True, blank=True)
    witness = models.CharField(_("witness"), max_length=50, blank=True)  # 证明人
    witness_signed_on = models.DateField(_("witness signed on"), null=True, blank=True)
    approved_by = models.CharField(_("approved by (chair)"), max_length=50, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_method = models.CharField(_("paid by"), max_length=10, choices=PaymentMethod.choices,
                                      blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    class Meta:
        db_table = "orgs_expense"  # kept from before governance was an app
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["org", "-date", "-id"]
        indexes = [models.Index(fields=["org", "kind", "paid_on"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.purpose} {self.amount}"
