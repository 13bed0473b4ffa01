"""The roles a grant gives (outside ``orgs.models`` so the gate can key its table by them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("staff")  # 填报员
    REVIEWER = "reviewer", _("reviewer")  # 审核员
    SCORER = "scorer", _("scorer")  # 评分员
    CLERK = "clerk", _("clerk")  # 文书
    ADMIN = "admin", _("administrator")  # 管理员


ROLE_FILE_NAMES = {"填报员": Role.STAFF, "审核员": Role.REVIEWER, "评分员": Role.SCORER,
                   "文书": Role.CLERK, "管理员": Role.ADMIN}
