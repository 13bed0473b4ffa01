"""Demo service types of 株洲市总工会 (示例, `seed --demo`), worded for its own tree.

The source documents spell out member-service workflows only for 天津市河东区总工会 (seed 001);
those belong to Hedong.  So that the demo accounts of Zhuzhou have services to apply for and
finish, Zhuzhou gets its own demo types: the same kinds of steps, routed the same way, but
named for a city federation whose base unions sit under system unions (系统工会, 市总工会), and
citing no other federation's catalogue.
"""

from django.utils.translation import gettext as _

from orgs.models import Org
from services.seeding import SERVICE_TYPES, Wording, define_service_type

ZHUZHOU = "zz"
DEMO_NOTE = "示例：株洲市总工会的办理流程，按本市组织树（基层工会—系统工会—市总工会）编排。"

ZHUZHOU_WORDING = {
    "member-card": Wording(
        preamble=(),
        names=("会员在指定时间向所在基层工会提交办卡材料", "基层工会汇总后向系统工会申报",
               "系统工会审核后向市总工会申报", "市总工会审核后与银行接洽办理工会会员服务卡", "等待发卡"),
    ),
    "member-card-review": Wording(
        preamble=(),
        names=("各基层工会按照保障期审核办卡人员身份", "汇总后上报系统工会", "市总工会汇总",
               "与保险合作社续保"),
    ),
    "legal-person": Wording(
        preamble=(),
        names=("准备申办材料", "提交系统工会", "系统工会审核", "系统工会提交市总工会", "市总工会审核",
               "办理并发放工会法人资格证书"),
    ),
    "hardship": Wording(
        preamble=("制定全市困难职工帮扶方案",),
        names=("开展帮扶慰问活动",),
    ),
}


def seed_zhuzhou_types() -> list[str]:
    owner = Org.objects.filter(code=ZHUZHOU, parent__isnull=True).first()
    if owner is None:
        return []
    created = 0
    for spec in SERVICE_TYPES:
        wording = ZHUZHOU_WORDING.get(spec.code)
        if wording is not None:
            wording = Wording(preamble=wording.preamble, names=wording.names, description=DEMO_NOTE)
            # Its own wording: the steps are not read from Hedong's catalogue.
            created += define_service_type(owner=owner, spec=spec, catalogue=None,
                                           wording=wording)[1]
    return [_("Demo service types of 株洲市总工会: %(count)d new.") % {"count": created}]
